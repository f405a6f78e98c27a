# "Learn the Basics: Save and Load the Model", PyTorch tutorials (BSD-3-Clause), retyped.
import nbgrad as torch
from tutorial_data import models  # stands in for torchvision.models (a small VGG; no pretrained download)

# Saving and Loading Model Weights
model = models.vgg16(weights='IMAGENET1K_V1')
torch.save(model.state_dict(), 'model_weights.pth')

model = models.vgg16()  # we do not specify ``weights``, i.e. create untrained model
model.load_state_dict(torch.load('model_weights.pth', weights_only=True))
print(model.eval())  # the tutorial's page shows this line's value; a program prints it

# Saving and Loading Models with Shapes
torch.save(model, 'model.pth')

model = torch.load('model.pth', weights_only=False),
print(type(model[0]).__name__)  # not in the tutorial: what came back (its trailing comma makes a tuple)
