"""``nbgrad.data``: the toy data sets are what they claim and repeatable; batches cover each epoch once."""
import numpy as np
import pytest

import nbgrad
from nbgrad.data import (
    DataLoader, TensorDataset, make_circles, make_moons, make_regression_1d, make_spirals,
)

CLASSIFICATION = [make_moons, make_circles, make_spirals]


@pytest.mark.parametrize("make", CLASSIFICATION + [make_regression_1d])
def test_same_seed_same_data_other_seed_other_data(make):
    X1, y1 = make(seed=3)
    X2, y2 = make(seed=3)
    X3, _ = make(seed=4)
    assert X1.equal(X2) and y1.equal(y2)
    assert not X1.equal(X3)


@pytest.mark.parametrize("make", CLASSIFICATION + [make_regression_1d])
def test_making_data_leaves_nbgrads_generator_alone(make):
    nbgrad.manual_seed(0)
    expected = nbgrad.rand(3)
    nbgrad.manual_seed(0)
    make()
    assert nbgrad.rand(3).equal(expected)


@pytest.mark.parametrize("make, n_classes", [(make_moons, 2), (make_circles, 2), (make_spirals, 3)])
def test_classification_sets_have_float32_points_int64_labels_and_balanced_classes(make, n_classes):
    X, y = make(n_samples=301)
    assert X.shape == (301, 2) and X.dtype == nbgrad.float32
    assert y.shape == (301,) and y.dtype == nbgrad.int64
    counts = np.bincount(y.numpy())
    assert len(counts) == n_classes and counts.max() - counts.min() <= 1 and counts.sum() == 301
    assert len(set(y.numpy()[:20].tolist())) == n_classes  # shuffled: the classes are interleaved


def test_moons_without_noise_lie_on_their_half_circles():
    X, y = make_moons(n_samples=100, noise=0.0)
    points, labels = X.numpy().astype(np.float64), y.numpy()
    upper, lower = points[labels == 0], points[labels == 1]
    np.testing.assert_allclose(np.hypot(*upper.T), 1.0, rtol=1e-6)
    np.testing.assert_allclose(np.hypot(upper[:, 0] - 0.0, upper[:, 1]), 1.0, rtol=1e-6)
    assert (upper[:, 1] >= -1e-6).all()
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1.0, lower[:, 1] - 0.5), 1.0, rtol=1e-6)
    assert (lower[:, 1] <= 0.5 + 1e-6).all()


def test_circles_without_noise_have_radius_one_and_factor():
    X, y = make_circles(n_samples=80, noise=0.0, factor=0.3)
    radius = np.hypot(*X.numpy().astype(np.float64).T)
    np.testing.assert_allclose(radius[y.numpy() == 0], 1.0, rtol=1e-6)
    np.testing.assert_allclose(radius[y.numpy() == 1], 0.3, rtol=1e-6)
    with pytest.raises(ValueError, match="'factor' has to be between 0 and 1, got 1.5"):
        make_circles(factor=1.5)


def test_noise_spreads_the_points_by_about_the_noise_level():
    X, y = make_circles(n_samples=4000, noise=0.1, seed=1)
    radius = np.hypot(*X.numpy().astype(np.float64).T)
    outer = radius[y.numpy() == 0]
    assert abs(outer.mean() - 1.0) < 0.01 and abs(outer.std() - 0.1) < 0.01


def test_spiral_arms_start_at_the_origin_and_reach_radius_one():
    X, y = make_spirals(n_samples=300, n_classes=3, noise=0.0)
    radius = np.hypot(*X.numpy().T)
    for k in range(3):
        arm = radius[y.numpy() == k]
        assert arm.min() < 1e-6 and abs(arm.max() - 1.0) < 1e-6 and len(arm) == 100


def test_regression_is_sine_plus_the_stated_noise():
    X, y = make_regression_1d(n_samples=4000, noise=0.2)
    assert X.shape == (4000, 1) and y.shape == (4000, 1) and X.dtype == y.dtype == nbgrad.float32
    x = X.numpy()[:, 0]
    assert x.min() >= -3 and x.max() <= 3 and (np.diff(x) >= 0).all()
    residual = y.numpy()[:, 0] - np.sin(x)
    assert abs(residual.mean()) < 0.02 and abs(residual.std() - 0.2) < 0.01
    _, exact = make_regression_1d(n_samples=50, noise=0.0)
    X, _ = make_regression_1d(n_samples=50, noise=0.0)
    np.testing.assert_allclose(exact.numpy()[:, 0], np.sin(X.numpy()[:, 0]), rtol=1e-6, atol=1e-6)


# ============================================================== batches

def numbered(n=10):
    """A data set whose features are the row numbers, so batches show which rows they hold."""
    return TensorDataset(nbgrad.arange(n).reshape(n, 1).float(), nbgrad.arange(n))


def rows(loader):
    return [batch[1].tolist() for batch in loader]


def test_without_shuffle_batches_come_in_order():
    loader = DataLoader(numbered(10), batch_size=4)
    assert len(loader) == 3 and rows(loader) == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    loader = DataLoader(numbered(10), batch_size=4, drop_last=True)
    assert len(loader) == 2 and rows(loader) == [[0, 1, 2, 3], [4, 5, 6, 7]]
    xb, yb = next(iter(DataLoader(numbered(10), batch_size=4)))
    assert xb.shape == (4, 1) and xb.dtype == nbgrad.float32 and yb.dtype == nbgrad.int64
    assert xb[:, 0].long().tolist() == yb.tolist()


def test_shuffled_epochs_cover_every_row_once_in_a_new_order_repeatably():
    loader = DataLoader(numbered(23), batch_size=5, shuffle=True, seed=0)
    epochs = [sum(rows(loader), []) for _ in range(3)]
    assert all(sorted(e) == list(range(23)) for e in epochs)
    assert epochs[0] != epochs[1] != epochs[2]
    again = DataLoader(numbered(23), batch_size=5, shuffle=True, seed=0)
    assert [sum(rows(again), []) for _ in range(3)] == epochs
    assert sum(rows(DataLoader(numbered(23), batch_size=5, shuffle=True, seed=1)), []) != epochs[0]


def test_without_a_seed_shuffling_follows_manual_seed():
    nbgrad.manual_seed(5)
    first = rows(DataLoader(numbered(12), batch_size=12, shuffle=True))
    nbgrad.manual_seed(5)
    assert rows(DataLoader(numbered(12), batch_size=12, shuffle=True)) == first


def test_batch_sizes_match_pytorchs_dataloader(torch):
    for n, batch_size, drop_last in [(10, 3, False), (10, 3, True), (9, 3, False), (2, 5, False), (2, 5, True)]:
        ours = DataLoader(numbered(n), batch_size=batch_size, drop_last=drop_last)
        theirs = torch.utils.data.DataLoader(
            torch.utils.data.TensorDataset(torch.arange(n)), batch_size=batch_size, drop_last=drop_last)
        assert len(ours) == len(theirs)
        assert [len(b[1]) for b in ours] == [len(b[0]) for b in theirs]


def test_a_list_of_pairs_is_batched_by_stacking():
    pairs = [(nbgrad.tensor([float(i), -float(i)]), nbgrad.tensor(i)) for i in range(5)]
    batches = list(DataLoader(pairs, batch_size=2))
    assert [b[0].shape for b in batches] == [(2, 2), (2, 2), (1, 2)]
    assert batches[1][1].tolist() == [2, 3]


def test_bad_batches_are_refused():
    with pytest.raises(AssertionError, match="Size mismatch between tensors"):  # PyTorch's type
        TensorDataset(nbgrad.ones(3, 2), nbgrad.ones(4))
    for bad in (0, -1, 2.5, True):
        with pytest.raises(ValueError, match="batch_size should be a positive integer value"):
            DataLoader(numbered(), batch_size=bad)


@pytest.mark.parametrize("size, channels", [(28, 1), (32, 3)])
def test_make_images_has_the_shapes_of_fashionmnist_and_cifar10(size, channels):
    X, y = nbgrad.data.make_images(300, size=size, channels=channels, seed=3)
    assert X.shape == (300, channels, size, size) and X.dtype == nbgrad.float32 and y.dtype == nbgrad.int64
    assert 0.0 <= X.min().item() and X.max().item() <= 1.0
    assert sorted(set(y.tolist())) == list(range(10))
    again, _ = nbgrad.data.make_images(300, size=size, channels=channels, seed=3)
    assert nbgrad.equal(X, again)  # deterministic
    assert not nbgrad.equal(X, nbgrad.data.make_images(300, size=size, channels=channels, seed=4)[0])
    # the classes are told apart by their pictures: nearest class mean, far above chance (10%)
    flat, labels = X.numpy().reshape(300, -1), y.numpy()
    means = np.stack([flat[labels == k].mean(0) for k in range(10)])
    nearest = ((flat[:, None, :] - means[None]) ** 2).sum(-1).argmin(1)
    assert (nearest == labels).mean() > 0.5


def test_make_images_refuses_more_than_ten_classes():
    with pytest.raises(ValueError, match="n_classes must be between 1 and 10"):
        nbgrad.data.make_images(10, n_classes=11)
