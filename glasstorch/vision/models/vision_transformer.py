"""Vision Transformer (Dosovitskiy et al., "An Image is Worth 16x16 Words", 2020), as torchvision builds it.

    input                                       (N, 3, S, S)          S = image_size (224), fixed
    conv_proj: Conv2d patch_size x patch_size,  (N, D, S/p, S/p)      D = hidden_dim
               stride patch_size
    reshape, permute                            (N, L, D)             L = (S/p)^2 patches
    cat the class token                         (N, L + 1, D)
    encoder: + pos_embedding, Dropout, num_layers EncoderBlocks, LayerNorm
    x[:, 0] (the class token), heads            (N, num_classes)

An EncoderBlock is pre-norm: x = x + Dropout(MultiheadAttention(ln_1(x))); x = x + MLP(ln_2(x)), the MLP
being Linear D -> mlp_dim, GELU, Dropout, Linear mlp_dim -> D, Dropout (keys ``mlp.0``, ``mlp.3``).
LayerNorms have eps=1e-6. Initialization: conv_proj trunc_normal_(std=sqrt(1/fan_in)), bias 0; class token
0; pos_embedding N(0, 0.02); MLP Linears xavier_uniform_ and bias N(0, 1e-6); the attention keeps
MultiheadAttention's own; heads.head zero (weights and bias); a pre_logits layer (representation_size)
trunc_normal_(std=sqrt(1/fan_in)). ``conv_stem_configs`` (torchvision's convolutional stem) is not provided.
"""
import math
from collections import OrderedDict
from functools import partial

from ... import nn
from ...ops.shape import cat
from ._api import WeightsEnum, register_model
from ._utils import MLP, _imagenet_weights, _names_member, _ovewrite_named_param, _weights_for

__all__ = ["VisionTransformer", "ViT_B_16_Weights", "ViT_B_32_Weights", "ViT_L_16_Weights", "ViT_L_32_Weights",
           "vit_b_16", "vit_b_32", "vit_l_16", "vit_l_32", "vit_h_14"]


class MLPBlock(MLP):
    """The transformer's feed-forward block: Linear, GELU, Dropout, Linear, Dropout."""

    def __init__(self, in_dim, mlp_dim, dropout):
        super().__init__(in_dim, [mlp_dim, in_dim], activation_layer=nn.GELU, inplace=None, dropout=dropout)
        for m in self.modules():
            if isinstance(m, nn.Linear):
                nn.init.xavier_uniform_(m.weight)
                if m.bias is not None:
                    nn.init.normal_(m.bias, std=1e-6)


class EncoderBlock(nn.Module):
    def __init__(self, num_heads, hidden_dim, mlp_dim, dropout, attention_dropout,
                 norm_layer=partial(nn.LayerNorm, eps=1e-6)):
        super().__init__()
        self.num_heads = num_heads
        self.ln_1 = norm_layer(hidden_dim)
        self.self_attention = nn.MultiheadAttention(hidden_dim, num_heads, dropout=attention_dropout,
                                                    batch_first=True)
        self.dropout = nn.Dropout(dropout)
        self.ln_2 = norm_layer(hidden_dim)
        self.mlp = MLPBlock(hidden_dim, mlp_dim, dropout)

    def forward(self, input):
        if input.dim() != 3:
            raise AssertionError(f"Expected (batch_size, seq_length, hidden_dim) got {tuple(input.shape)}")
        x = self.ln_1(input)
        x, _ = self.self_attention(x, x, x, need_weights=False)
        x = self.dropout(x)
        x = x + input               # residual around the attention
        y = self.ln_2(x)
        y = self.mlp(y)
        return x + y                # residual around the MLP


class Encoder(nn.Module):
    def __init__(self, seq_length, num_layers, num_heads, hidden_dim, mlp_dim, dropout, attention_dropout,
                 norm_layer=partial(nn.LayerNorm, eps=1e-6)):
        super().__init__()
        self.pos_embedding = nn.Parameter(nn.init.normal_(_empty(1, seq_length, hidden_dim), std=0.02))  # from BERT
        self.dropout = nn.Dropout(dropout)
        layers = OrderedDict()
        for i in range(num_layers):
            layers[f"encoder_layer_{i}"] = EncoderBlock(num_heads, hidden_dim, mlp_dim, dropout, attention_dropout,
                                                        norm_layer)
        self.layers = nn.Sequential(layers)
        self.ln = norm_layer(hidden_dim)

    def forward(self, input):
        if input.dim() != 3:
            raise AssertionError(f"Expected (batch_size, seq_length, hidden_dim) got {tuple(input.shape)}")
        input = input + self.pos_embedding
        return self.ln(self.layers(self.dropout(input)))


def _empty(*shape):
    from ...creation import zeros
    return zeros(*shape)


class VisionTransformer(nn.Module):
    def __init__(self, image_size, patch_size, num_layers, num_heads, hidden_dim, mlp_dim, dropout=0.0,
                 attention_dropout=0.0, num_classes=1000, representation_size=None,
                 norm_layer=partial(nn.LayerNorm, eps=1e-6), conv_stem_configs=None):
        super().__init__()
        if image_size % patch_size != 0:
            raise AssertionError("Input shape indivisible by patch size!")
        if conv_stem_configs is not None:
            raise NotImplementedError("conv_stem_configs (a convolutional stem) is not provided by glasstorch")
        self.image_size = image_size
        self.patch_size = patch_size
        self.hidden_dim = hidden_dim
        self.mlp_dim = mlp_dim
        self.attention_dropout = attention_dropout
        self.dropout = dropout
        self.num_classes = num_classes
        self.representation_size = representation_size
        self.norm_layer = norm_layer

        self.conv_proj = nn.Conv2d(in_channels=3, out_channels=hidden_dim, kernel_size=patch_size, stride=patch_size)
        seq_length = (image_size // patch_size) ** 2
        self.class_token = nn.Parameter(_empty(1, 1, hidden_dim))   # the "[CLS]" token, learned
        seq_length += 1
        self.encoder = Encoder(seq_length, num_layers, num_heads, hidden_dim, mlp_dim, dropout, attention_dropout,
                               norm_layer)
        self.seq_length = seq_length

        heads_layers = OrderedDict()
        if representation_size is None:
            heads_layers["head"] = nn.Linear(hidden_dim, num_classes)
        else:
            heads_layers["pre_logits"] = nn.Linear(hidden_dim, representation_size)
            heads_layers["act"] = nn.Tanh()
            heads_layers["head"] = nn.Linear(representation_size, num_classes)
        self.heads = nn.Sequential(heads_layers)

        fan_in = self.conv_proj.in_channels * self.conv_proj.kernel_size[0] * self.conv_proj.kernel_size[1]
        nn.init.trunc_normal_(self.conv_proj.weight, std=math.sqrt(1 / fan_in))
        if self.conv_proj.bias is not None:
            nn.init.zeros_(self.conv_proj.bias)
        if hasattr(self.heads, "pre_logits") and isinstance(self.heads.pre_logits, nn.Linear):
            fan_in = self.heads.pre_logits.in_features
            nn.init.trunc_normal_(self.heads.pre_logits.weight, std=math.sqrt(1 / fan_in))
            nn.init.zeros_(self.heads.pre_logits.bias)
        if isinstance(self.heads.head, nn.Linear):
            nn.init.zeros_(self.heads.head.weight)
            nn.init.zeros_(self.heads.head.bias)

    def _process_input(self, x):
        n, c, h, w = x.shape
        p = self.patch_size
        if h != self.image_size:
            raise AssertionError(f"Wrong image height! Expected {self.image_size} but got {h}!")
        if w != self.image_size:
            raise AssertionError(f"Wrong image width! Expected {self.image_size} but got {w}!")
        n_h = h // p
        n_w = w // p
        x = self.conv_proj(x)                               # (N, D, n_h, n_w)
        x = x.reshape(n, self.hidden_dim, n_h * n_w)        # (N, D, L)
        x = x.permute(0, 2, 1)                              # (N, L, D): a sequence of patch embeddings
        return x

    def forward(self, x):
        x = self._process_input(x)
        n = x.shape[0]
        batch_class_token = self.class_token.expand(n, -1, -1)  # (N, 1, D)
        x = cat([batch_class_token, x], dim=1)                  # (N, L + 1, D)
        x = self.encoder(x)
        x = x[:, 0]                                             # the class token's output, (N, D)
        x = self.heads(x)                                       # (N, num_classes)
        return x


def _vision_transformer(patch_size, num_layers, num_heads, hidden_dim, mlp_dim, weights, weights_enum, arch,
                        kwargs):
    if weights_enum is not None and _names_member(weights, weights_enum):
        member = weights_enum.verify(weights.replace(weights_enum.__name__ + ".", "")
                                     if isinstance(weights, str) else weights)
        if member.meta["min_size"][0] != member.meta["min_size"][1]:
            raise AssertionError("non-square min_size")
        _ovewrite_named_param(kwargs, "image_size", member.meta["min_size"][0])
    _member, state_dict = _weights_for(weights, weights_enum, arch, kwargs, "heads.head.weight")
    image_size = kwargs.pop("image_size", 224)
    model = VisionTransformer(image_size=image_size, patch_size=patch_size, num_layers=num_layers,
                              num_heads=num_heads, hidden_dim=hidden_dim, mlp_dim=mlp_dim, **kwargs)
    if state_dict is not None:
        model.load_state_dict(state_dict)
    return model


_URL = "https://download.pytorch.org/models/"


class ViT_B_16_Weights(WeightsEnum):
    IMAGENET1K_V1 = _imagenet_weights(_URL + "vit_b_16-c867db91.pth", 86567656, 81.072, 95.318,
                                      min_size=(224, 224))
    DEFAULT = IMAGENET1K_V1


class ViT_B_32_Weights(WeightsEnum):
    IMAGENET1K_V1 = _imagenet_weights(_URL + "vit_b_32-d86f8d99.pth", 88224232, 75.912, 92.466,
                                      min_size=(224, 224))
    DEFAULT = IMAGENET1K_V1


class ViT_L_16_Weights(WeightsEnum):
    IMAGENET1K_V1 = _imagenet_weights(_URL + "vit_l_16-852ce7e3.pth", 304326632, 79.662, 94.638,
                                      min_size=(224, 224), resize_size=242)
    DEFAULT = IMAGENET1K_V1


class ViT_L_32_Weights(WeightsEnum):
    IMAGENET1K_V1 = _imagenet_weights(_URL + "vit_l_32-c7638314.pth", 306535400, 76.972, 93.070,
                                      min_size=(224, 224))
    DEFAULT = IMAGENET1K_V1


@register_model(weights_enum=ViT_B_16_Weights)
def vit_b_16(*, weights=None, progress=True, **kwargs):
    """ViT-B/16: patch 16, 12 layers, 12 heads, hidden 768, MLP 3072; 86,567,656 parameters at 224 x 224.
    ``weights``: None, a ViT_B_16_Weights, a path or a state_dict (see _api); ``progress`` is ignored.
    kwargs: image_size (default 224), num_classes, dropout, attention_dropout, representation_size, ..."""
    return _vision_transformer(16, 12, 12, 768, 3072, weights, ViT_B_16_Weights, "vit_b_16", kwargs)


@register_model(weights_enum=ViT_B_32_Weights)
def vit_b_32(*, weights=None, progress=True, **kwargs):
    """ViT-B/32: patch 32, 12 layers, 12 heads, hidden 768, MLP 3072; 88,224,232 parameters."""
    return _vision_transformer(32, 12, 12, 768, 3072, weights, ViT_B_32_Weights, "vit_b_32", kwargs)


@register_model(weights_enum=ViT_L_16_Weights)
def vit_l_16(*, weights=None, progress=True, **kwargs):
    """ViT-L/16: patch 16, 24 layers, 16 heads, hidden 1024, MLP 4096; 304,326,632 parameters."""
    return _vision_transformer(16, 24, 16, 1024, 4096, weights, ViT_L_16_Weights, "vit_l_16", kwargs)


@register_model(weights_enum=ViT_L_32_Weights)
def vit_l_32(*, weights=None, progress=True, **kwargs):
    """ViT-L/32: patch 32, 24 layers, 16 heads, hidden 1024, MLP 4096; 306,535,400 parameters."""
    return _vision_transformer(32, 24, 16, 1024, 4096, weights, ViT_L_32_Weights, "vit_l_32", kwargs)


@register_model()
def vit_h_14(*, weights=None, progress=True, **kwargs):
    """ViT-H/14: patch 14, 32 layers, 16 heads, hidden 1280, MLP 5120; 632,045,800 parameters at 224.
    (torchvision's only weights for it are the SWAG ones at 518 x 518, which glasstorch does not list:
    ``weights=`` takes a path or a state_dict here.)"""
    return _vision_transformer(14, 32, 16, 1280, 5120, weights, None, "vit_h_14", kwargs)
