"""(no tests) A dataset for the DataLoader 'spawn' test, in a module that does not import torch: a spawned
worker imports the module that defines its dataset, and torch's import would cost seconds."""
import glasstorch
from glasstorch.utils import data as gdata


class SquaresLight(gdata.Dataset):
    def __len__(self):
        return 10

    def __getitem__(self, i):
        return {"x": glasstorch.tensor([float(i), float(i * i)]), "i": i}
