"""What PyTorch's tutorials download, made by nbgrad instead: the same shapes, no network.

``datasets.FashionMNIST`` and ``datasets.CIFAR10`` stand for torchvision's (1×28×28 and 3×32×32 images, ten
classes), built from ``nbgrad.data.make_images``; ``transforms`` stands for torchvision's, and ``mnist()``
for the pickled MNIST file "What is torch.nn really?" downloads. The harness names the library the program
imported (``use``), so the same images reach nbgrad and PyTorch as their own tensors.
"""
import types

import nbgrad

LIBRARY = nbgrad
SIZES = {True: 1024, False: 256}  # training and test images: a thousandth of the real sets, enough to learn from


def use(library):
    global LIBRARY
    LIBRARY = library


def _images(train, size, channels):
    X, y = nbgrad.data.make_images(SIZES[train], size=size, channels=channels, seed=0 if train else 1)
    return X.numpy(), y.numpy()


class _ImageSet:
    """A torchvision-style data set: ``data[i]`` is (image tensor, int label), after the transforms."""

    size = channels = None
    classes = ()

    def __init__(self, root="data", train=True, download=False, transform=None, target_transform=None):
        self.images, self.targets = _images(train, self.size, self.channels)
        self.transform, self.target_transform = transform, target_transform

    def __len__(self):
        return len(self.targets)

    def __getitem__(self, i):
        image, label = LIBRARY.from_numpy(self.images[i].copy()), int(self.targets[i])
        if self.transform is not None:
            image = self.transform(image)
        if self.target_transform is not None:
            label = self.target_transform(label)
        return image, label


class FashionMNIST(_ImageSet):
    size, channels = 28, 1
    classes = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
               "Ankle boot"]


class CIFAR10(_ImageSet):
    size, channels = 32, 3
    classes = ["plane", "car", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]


def _dataset_class(cls):
    """The class as a subclass of the program's library's Dataset, as torchvision's data sets are."""
    return type(cls.__name__, (cls, LIBRARY.utils.data.Dataset), {})


datasets = types.SimpleNamespace(
    FashionMNIST=lambda *a, **k: _dataset_class(FashionMNIST)(*a, **k),
    CIFAR10=lambda *a, **k: _dataset_class(CIFAR10)(*a, **k),
)


class ToTensor:
    """torchvision's ToTensor turns a PIL image into a float tensor in [0, 1]: these images already are."""

    def __call__(self, image):
        return image


class Lambda:
    def __init__(self, fn):
        self.fn = fn

    def __call__(self, x):
        return self.fn(x)


class Compose:
    def __init__(self, steps):
        self.steps = steps

    def __call__(self, x):
        for step in self.steps:
            x = step(x)
        return x


class Normalize:
    def __init__(self, mean, std):
        self.mean, self.std = mean, std

    def __call__(self, image):
        mean = LIBRARY.tensor(self.mean, dtype=image.dtype).view(-1, 1, 1)
        std = LIBRARY.tensor(self.std, dtype=image.dtype).view(-1, 1, 1)
        return (image - mean) / std


transforms = types.SimpleNamespace(ToTensor=ToTensor, Lambda=Lambda, Compose=Compose, Normalize=Normalize)


def mnist():
    """((x_train, y_train), (x_valid, y_valid), (x_test, y_test)) as NumPy arrays, as the MNIST pickle holds:
    flattened 784-pixel float32 images and int64 labels."""
    sets = []
    for seed, n in ((0, SIZES[True]), (1, SIZES[False]), (2, SIZES[False])):
        X, y = nbgrad.data.make_images(n, seed=seed)
        sets.append((X.numpy().reshape(n, 784), y.numpy()))
    return tuple(sets)


def _register(cls):
    """Module-level, as torchvision's classes are, so that ``torch.save(model)`` can pickle the model."""
    cls.__module__, cls.__qualname__ = __name__, cls.__name__
    globals()[cls.__name__] = cls
    return cls


def _vgg_class():
    nn = LIBRARY.nn

    class VGG(nn.Module):
        """torchvision's VGG's layout (features, avgpool, classifier), small: 2 convolutions, 64 hidden units."""

        def __init__(self):
            super().__init__()
            self.features = nn.Sequential(
                nn.Conv2d(3, 8, kernel_size=3, padding=1), nn.ReLU(inplace=True), nn.MaxPool2d(kernel_size=2, stride=2),
                nn.Conv2d(8, 16, kernel_size=3, padding=1), nn.ReLU(inplace=True), nn.MaxPool2d(kernel_size=2, stride=2),
            )
            self.avgpool = nn.AdaptiveAvgPool2d((7, 7))
            self.classifier = nn.Sequential(
                nn.Linear(16 * 7 * 7, 64), nn.ReLU(True), nn.Dropout(p=0.5), nn.Linear(64, 1000),
            )

        def forward(self, x):
            x = self.features(x)
            x = self.avgpool(x)
            x = LIBRARY.flatten(x, 1)
            return self.classifier(x)

    return _register(VGG)


def _resnet_class():
    nn = LIBRARY.nn

    class ResNet(nn.Module):
        """torchvision's ResNet's names (conv1, bn1, relu, maxpool, layer1, avgpool, fc; fc takes 512 features),
        with one small layer."""

        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(3, 16, kernel_size=7, stride=2, padding=3, bias=False)
            self.bn1 = nn.BatchNorm2d(16)
            self.relu = nn.ReLU(inplace=True)
            self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
            self.layer1 = nn.Sequential(nn.Conv2d(16, 32, kernel_size=3, padding=1, bias=False), nn.BatchNorm2d(32),
                                        nn.ReLU(inplace=True))
            self.avgpool = nn.AdaptiveAvgPool2d((4, 4))
            self.fc = nn.Linear(512, 1000)

        def forward(self, x):
            x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
            x = self.avgpool(self.layer1(x))
            return self.fc(LIBRARY.flatten(x, 1))

    return _register(ResNet)


# The pretrained weights torchvision downloads are replaced by the random ones a new model has.
models = types.SimpleNamespace(vgg16=lambda weights=None: _vgg_class()())
ResNet18_Weights = types.SimpleNamespace(DEFAULT="IMAGENET1K_V1")


def resnet18(weights=None):
    return _resnet_class()()


def make_grid(images, nrow=8, padding=2):
    """torchvision.utils.make_grid's picture of a batch: the images side by side, ``padding`` pixels apart."""
    n, c, h, w = images.shape
    grid = LIBRARY.zeros(c, h + 2 * padding, n * (w + padding) + padding)
    for i in range(n):
        grid[:, padding:padding + h, padding + i * (w + padding):padding + i * (w + padding) + w] = images[i]
    return grid


utils = types.SimpleNamespace(make_grid=make_grid)
