"""Pieces the torchvision models share: torchvision.ops' Conv2dNormActivation, SqueezeExcitation and MLP,
``_make_divisible`` and the helper that builders use to load ``weights=``.
"""
from ... import nn
from ._api import resolve_weights

__all__ = []


def _make_divisible(v, divisor, min_value=None):
    """``v`` rounded to the nearest multiple of ``divisor`` (at least ``min_value``), never below 0.9·v
    (the channel rounding of the TensorFlow MobileNets)."""
    if min_value is None:
        min_value = divisor
    new_v = max(min_value, int(v + divisor / 2) // divisor * divisor)
    if new_v < 0.9 * v:  # rounding down may not remove more than 10%
        new_v += divisor
    return new_v


def _ovewrite_named_param(kwargs, param, new_value):
    """Set kwargs[param] = new_value; if the caller gave another value, raise (torchvision's helper)."""
    if param in kwargs:
        if kwargs[param] != new_value:
            raise ValueError(f"The parameter '{param}' expected value {new_value} but got {kwargs[param]} instead.")
    else:
        kwargs[param] = new_value


def _weights_for(weights, weights_enum, arch, kwargs, head_key=None):
    """Resolve ``weights=`` for a builder: (member or None, state_dict or None), setting kwargs' num_classes.

    For an enum member, num_classes must equal len(meta["categories"]) (torchvision's rule); for a file or
    a state_dict, num_classes defaults to the rows of ``head_key`` (the classifier's weight).
    """
    if "pretrained" in kwargs:  # torchvision's deprecated form: pretrained=True means the DEFAULT weights
        if kwargs.pop("pretrained") and weights is None:
            weights = "IMAGENET1K_V1"  # torchvision maps pretrained=True to the V1 weights
    member, state_dict = resolve_weights(weights, weights_enum, arch)
    if member is not None:
        _ovewrite_named_param(kwargs, "num_classes", len(member.meta["categories"]))
    elif state_dict is not None and head_key is not None and head_key in state_dict:
        kwargs.setdefault("num_classes", state_dict[head_key].shape[0])
    return member, state_dict


class Conv2dNormActivation(nn.Sequential):
    """Conv2d -> norm layer -> activation, as a Sequential (keys ``0.weight``, ``1.weight``, ...).

    padding defaults to (kernel_size - 1) // 2 · dilation ("same" at stride 1); the convolution has a bias
    only when there is no norm layer. (torchvision.ops.Conv2dNormActivation)
    """

    def __init__(self, in_channels, out_channels, kernel_size=3, stride=1, padding=None, groups=1,
                 norm_layer=nn.BatchNorm2d, activation_layer=nn.ReLU, dilation=1, inplace=True, bias=None):
        if padding is None:
            padding = (kernel_size - 1) // 2 * dilation
        if bias is None:
            bias = norm_layer is None
        layers = [nn.Conv2d(in_channels, out_channels, kernel_size, stride, padding, dilation=dilation,
                            groups=groups, bias=bias)]
        if norm_layer is not None:
            layers.append(norm_layer(out_channels))
        if activation_layer is not None:
            params = {} if inplace is None else {"inplace": inplace}
            layers.append(activation_layer(**params))
        super().__init__(*layers)
        self.out_channels = out_channels


class SqueezeExcitation(nn.Module):
    """x · scale_activation(fc2(activation(fc1(avgpool(x))))): a per-channel gate (Hu et al., 2018).

    fc1, fc2 are 1x1 convolutions input_channels -> squeeze_channels -> input_channels.
    (torchvision.ops.SqueezeExcitation)
    """

    def __init__(self, input_channels, squeeze_channels, activation=nn.ReLU, scale_activation=nn.Sigmoid):
        super().__init__()
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc1 = nn.Conv2d(input_channels, squeeze_channels, 1)
        self.fc2 = nn.Conv2d(squeeze_channels, input_channels, 1)
        self.activation = activation()
        self.scale_activation = scale_activation()

    def _scale(self, x):
        scale = self.avgpool(x)             # (N, C, 1, 1)
        scale = self.fc1(scale)             # (N, squeeze, 1, 1)
        scale = self.activation(scale)
        scale = self.fc2(scale)             # (N, C, 1, 1)
        return self.scale_activation(scale)

    def forward(self, x):
        return self._scale(x) * x


class MLP(nn.Sequential):
    """Linear -> activation -> Dropout for each hidden width; the last Linear is followed only by Dropout.

    (torchvision.ops.MLP; keys ``0.weight``, ``3.weight`` for two layers.)
    """

    def __init__(self, in_channels, hidden_channels, norm_layer=None, activation_layer=nn.ReLU, inplace=None,
                 bias=True, dropout=0.0):
        params = {} if inplace is None else {"inplace": inplace}
        layers = []
        in_dim = in_channels
        for hidden_dim in hidden_channels[:-1]:
            layers.append(nn.Linear(in_dim, hidden_dim, bias=bias))
            if norm_layer is not None:
                layers.append(norm_layer(hidden_dim))
            layers.append(activation_layer(**params))
            layers.append(nn.Dropout(dropout, **params))
            in_dim = hidden_dim
        layers.append(nn.Linear(in_dim, hidden_channels[-1], bias=bias))
        layers.append(nn.Dropout(dropout, **params))
        super().__init__(*layers)


def _imagenet_weights(url, num_params, acc1, acc5, min_size=(1, 1), crop_size=224, resize_size=256, **transform):
    """A ``Weights`` entry of an ImageNet-1K classifier (torchvision's meta, less recipe/_ops/_file_size/_docs)."""
    from ._api import Weights, _classification
    from ._meta import _IMAGENET_CATEGORIES
    return Weights(url=url, transforms=_classification(crop_size=crop_size, resize_size=resize_size, **transform),
                   meta={"categories": _IMAGENET_CATEGORIES, "num_params": num_params, "min_size": min_size,
                         "_metrics": {"ImageNet-1K": {"acc@1": acc1, "acc@5": acc5}}})


def _build(model_fn, weights, weights_enum, arch, kwargs, head_key):
    """model_fn(**kwargs) with ``weights=`` loaded: the body of every builder."""
    _member, state_dict = _weights_for(weights, weights_enum, arch, kwargs, head_key)
    model = model_fn(**kwargs)
    if state_dict is not None:
        model.load_state_dict(state_dict)
    return model


def _names_member(weights, weights_enum):
    """Whether ``weights`` is a member of ``weights_enum`` or the name of one (not a path or a state_dict)."""
    import os
    from ._api import WeightsEnum
    if isinstance(weights, WeightsEnum):
        return True
    if isinstance(weights, str) and not os.path.exists(weights):
        return weights.replace(weights_enum.__name__ + ".", "") in weights_enum.__members__
    return False
