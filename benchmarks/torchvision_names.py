"""torchvision 0.2x's public names, namespace by namespace, for ``api_coverage.py`` (torchvision itself does not
install beside this torch, so its names cannot be read with ``dir()``).

Each list is what ``dir(module)`` without underscores gives, minus submodules (and minus the ``typing`` /
``enum`` names a module imports for itself), written by hand from torchvision's source in the repository
pytorch/vision:

- ``torchvision.models``: ``torchvision/models/__init__.py`` (the ``from .x import *`` lines and the ``_api``
  import: get_model, get_model_builder, get_model_weights, get_weight, list_models, Weights, WeightsEnum) and
  the ``__all__`` of each file it stars (alexnet, convnext, densenet, efficientnet, googlenet, inception,
  mnasnet, mobilenetv2/v3 via mobilenet, regnet, resnet, shufflenetv2, squeezenet, vgg, vision_transformer,
  swin_transformer, maxvit), as in the 0.16-0.20 releases. The stored ``__init__`` read was commit
  020932708a31eb666b487d6a9eb1ff2ac9229170 (before maxvit); maxvit and the public Weights/WeightsEnum are
  from the later ``__init__`` (0.15+).
- ``torchvision.datasets``: ``torchvision/datasets/__init__.py`` ``__all__`` (commit
  01086116d51942f44af235848b1fe91fc2ed2bf6), plus the datasets added up to 0.20 (the stereo-matching
  datasets, CLEVRClassification, Country211, EuroSAT, FGVCAircraft, Flowers102, GTSRB, Imagenette,
  MovingMNIST, OxfordIIITPet, PCAM, RenderedSST2, StanfordCars, SUN397, wrap_dataset_for_transforms_v2),
  and without Kinetics400 (deprecated for Kinetics and removed).
- ``torchvision.transforms``: ``torchvision/transforms/transforms.py`` ``__all__`` and
  ``autoaugment.py`` ``__all__`` (both starred by ``transforms/__init__.py``).
- ``torchvision.transforms.functional``: the public ``def``s of ``torchvision/transforms/functional.py`` and
  its ``InterpolationMode`` class.
- ``torchvision.transforms.v2``: ``torchvision/transforms/v2/__init__.py`` (commit
  02526afc628f40f4100593450b2228e07cc9901f) plus what 0.17-0.20 added there (JPEG, GaussianNoise and the
  ``._utils`` helpers check_type, get_bounding_boxes, has_all, has_any, query_chw, query_size).
- ``torchvision.utils``: ``torchvision/utils.py`` ``__all__`` (commit 0002677a8996c22338f9af8526c47d9247ef29cf)
  plus flow_to_image (0.14+).
"""

NAMES = {
    "torchvision.models": [
        "AlexNet", "AlexNet_Weights", "ConvNeXt", "ConvNeXt_Base_Weights", "ConvNeXt_Large_Weights",
        "ConvNeXt_Small_Weights", "ConvNeXt_Tiny_Weights", "DenseNet", "DenseNet121_Weights",
        "DenseNet161_Weights", "DenseNet169_Weights", "DenseNet201_Weights", "EfficientNet",
        "EfficientNet_B0_Weights", "EfficientNet_B1_Weights", "EfficientNet_B2_Weights",
        "EfficientNet_B3_Weights", "EfficientNet_B4_Weights", "EfficientNet_B5_Weights",
        "EfficientNet_B6_Weights", "EfficientNet_B7_Weights", "EfficientNet_V2_L_Weights",
        "EfficientNet_V2_M_Weights", "EfficientNet_V2_S_Weights", "GoogLeNet", "GoogLeNetOutputs",
        "GoogLeNet_Weights", "Inception3", "InceptionOutputs", "Inception_V3_Weights", "MNASNet",
        "MNASNet0_5_Weights", "MNASNet0_75_Weights", "MNASNet1_0_Weights", "MNASNet1_3_Weights", "MaxVit",
        "MaxVit_T_Weights", "MobileNetV2", "MobileNetV3", "MobileNet_V2_Weights",
        "MobileNet_V3_Large_Weights", "MobileNet_V3_Small_Weights", "RegNet", "RegNet_X_16GF_Weights",
        "RegNet_X_1_6GF_Weights", "RegNet_X_32GF_Weights", "RegNet_X_3_2GF_Weights",
        "RegNet_X_400MF_Weights", "RegNet_X_800MF_Weights", "RegNet_X_8GF_Weights",
        "RegNet_Y_128GF_Weights", "RegNet_Y_16GF_Weights", "RegNet_Y_1_6GF_Weights",
        "RegNet_Y_32GF_Weights", "RegNet_Y_3_2GF_Weights", "RegNet_Y_400MF_Weights",
        "RegNet_Y_800MF_Weights", "RegNet_Y_8GF_Weights", "ResNeXt101_32X8D_Weights",
        "ResNeXt101_64X4D_Weights", "ResNeXt50_32X4D_Weights", "ResNet", "ResNet101_Weights",
        "ResNet152_Weights", "ResNet18_Weights", "ResNet34_Weights", "ResNet50_Weights", "ShuffleNetV2",
        "ShuffleNet_V2_X0_5_Weights", "ShuffleNet_V2_X1_0_Weights", "ShuffleNet_V2_X1_5_Weights",
        "ShuffleNet_V2_X2_0_Weights", "SqueezeNet", "SqueezeNet1_0_Weights", "SqueezeNet1_1_Weights",
        "SwinTransformer", "Swin_B_Weights", "Swin_S_Weights", "Swin_T_Weights", "Swin_V2_B_Weights",
        "Swin_V2_S_Weights", "Swin_V2_T_Weights", "VGG", "VGG11_BN_Weights", "VGG11_Weights",
        "VGG13_BN_Weights", "VGG13_Weights", "VGG16_BN_Weights", "VGG16_Weights", "VGG19_BN_Weights",
        "VGG19_Weights", "ViT_B_16_Weights", "ViT_B_32_Weights", "ViT_H_14_Weights", "ViT_L_16_Weights",
        "ViT_L_32_Weights", "VisionTransformer", "Weights", "WeightsEnum", "Wide_ResNet101_2_Weights",
        "Wide_ResNet50_2_Weights", "alexnet", "convnext_base", "convnext_large", "convnext_small",
        "convnext_tiny", "densenet121", "densenet161", "densenet169", "densenet201", "efficientnet_b0",
        "efficientnet_b1", "efficientnet_b2", "efficientnet_b3", "efficientnet_b4", "efficientnet_b5",
        "efficientnet_b6", "efficientnet_b7", "efficientnet_v2_l", "efficientnet_v2_m", "efficientnet_v2_s",
        "get_model", "get_model_builder", "get_model_weights", "get_weight", "googlenet", "inception_v3",
        "list_models", "maxvit_t", "mnasnet0_5", "mnasnet0_75", "mnasnet1_0", "mnasnet1_3", "mobilenet_v2",
        "mobilenet_v3_large", "mobilenet_v3_small", "regnet_x_16gf", "regnet_x_1_6gf", "regnet_x_32gf",
        "regnet_x_3_2gf", "regnet_x_400mf", "regnet_x_800mf", "regnet_x_8gf", "regnet_y_128gf",
        "regnet_y_16gf", "regnet_y_1_6gf", "regnet_y_32gf", "regnet_y_3_2gf", "regnet_y_400mf",
        "regnet_y_800mf", "regnet_y_8gf", "resnet101", "resnet152", "resnet18", "resnet34", "resnet50",
        "resnext101_32x8d", "resnext101_64x4d", "resnext50_32x4d", "shufflenet_v2_x0_5",
        "shufflenet_v2_x1_0", "shufflenet_v2_x1_5", "shufflenet_v2_x2_0", "squeezenet1_0", "squeezenet1_1",
        "swin_b", "swin_s", "swin_t", "swin_v2_b", "swin_v2_s", "swin_v2_t", "vgg11", "vgg11_bn", "vgg13",
        "vgg13_bn", "vgg16", "vgg16_bn", "vgg19", "vgg19_bn", "vit_b_16", "vit_b_32", "vit_h_14",
        "vit_l_16", "vit_l_32", "wide_resnet101_2", "wide_resnet50_2",
    ],
    "torchvision.datasets": [
        "CIFAR10", "CIFAR100", "CLEVRClassification", "CREStereo", "Caltech101", "Caltech256",
        "CarlaStereo", "CelebA", "Cityscapes", "CocoCaptions", "CocoDetection", "Country211", "DTD",
        "DatasetFolder", "EMNIST", "ETH3DStereo", "EuroSAT", "FER2013", "FGVCAircraft", "FakeData",
        "FallingThingsStereo", "FashionMNIST", "Flickr30k", "Flickr8k", "Flowers102", "FlyingChairs",
        "FlyingThings3D", "Food101", "GTSRB", "HD1K", "HMDB51", "INaturalist", "ImageFolder", "ImageNet",
        "Imagenette", "InStereo2k", "KMNIST", "Kinetics", "Kitti", "Kitti2012Stereo", "Kitti2015Stereo",
        "KittiFlow", "LFWPairs", "LFWPeople", "LSUN", "LSUNClass", "MNIST", "Middlebury2014Stereo",
        "MovingMNIST", "Omniglot", "OxfordIIITPet", "PCAM", "PhotoTour", "Places365", "QMNIST",
        "RenderedSST2", "SBDataset", "SBU", "SEMEION", "STL10", "SUN397", "SVHN", "SceneFlowStereo",
        "Sintel", "SintelStereo", "StanfordCars", "UCF101", "USPS", "VOCDetection", "VOCSegmentation",
        "VisionDataset", "WIDERFace", "wrap_dataset_for_transforms_v2",
    ],
    "torchvision.transforms": [
        "AugMix", "AutoAugment", "AutoAugmentPolicy", "CenterCrop", "ColorJitter", "Compose",
        "ConvertImageDtype", "ElasticTransform", "FiveCrop", "GaussianBlur", "Grayscale",
        "InterpolationMode", "Lambda", "LinearTransformation", "Normalize", "PILToTensor", "Pad",
        "RandAugment", "RandomAdjustSharpness", "RandomAffine", "RandomApply", "RandomAutocontrast",
        "RandomChoice", "RandomCrop", "RandomEqualize", "RandomErasing", "RandomGrayscale",
        "RandomHorizontalFlip", "RandomInvert", "RandomOrder", "RandomPerspective", "RandomPosterize",
        "RandomResizedCrop", "RandomRotation", "RandomSolarize", "RandomVerticalFlip", "Resize", "TenCrop",
        "ToPILImage", "ToTensor", "TrivialAugmentWide",
    ],
    "torchvision.transforms.functional": [
        "InterpolationMode", "adjust_brightness", "adjust_contrast", "adjust_gamma", "adjust_hue",
        "adjust_saturation", "adjust_sharpness", "affine", "autocontrast", "center_crop",
        "convert_image_dtype", "crop", "elastic_transform", "equalize", "erase", "five_crop",
        "gaussian_blur", "get_dimensions", "get_image_num_channels", "get_image_size", "hflip", "invert",
        "normalize", "pad", "perspective", "pil_to_tensor", "posterize", "resize", "resized_crop",
        "rgb_to_grayscale", "rotate", "solarize", "ten_crop", "to_grayscale", "to_pil_image", "to_tensor",
        "vflip",
    ],
    "torchvision.transforms.v2": [
        "AugMix", "AutoAugment", "AutoAugmentPolicy", "CenterCrop", "ClampBoundingBoxes", "ColorJitter",
        "Compose", "ConvertBoundingBoxFormat", "ConvertImageDtype", "CutMix", "ElasticTransform",
        "FiveCrop", "GaussianBlur", "GaussianNoise", "Grayscale", "Identity", "InterpolationMode", "JPEG",
        "Lambda", "LinearTransformation", "MixUp", "Normalize", "PILToTensor", "Pad", "RGB", "RandAugment",
        "RandomAdjustSharpness", "RandomAffine", "RandomApply", "RandomAutocontrast",
        "RandomChannelPermutation", "RandomChoice", "RandomCrop", "RandomEqualize", "RandomErasing",
        "RandomGrayscale", "RandomHorizontalFlip", "RandomInvert", "RandomIoUCrop", "RandomOrder",
        "RandomPerspective", "RandomPhotometricDistort", "RandomPosterize", "RandomResize",
        "RandomResizedCrop", "RandomRotation", "RandomShortestSize", "RandomSolarize", "RandomVerticalFlip",
        "RandomZoomOut", "Resize", "SanitizeBoundingBoxes", "ScaleJitter", "TenCrop", "ToDtype", "ToImage",
        "ToPILImage", "ToPureTensor", "ToTensor", "Transform", "TrivialAugmentWide",
        "UniformTemporalSubsample", "check_type", "get_bounding_boxes", "has_all", "has_any", "query_chw",
        "query_size",
    ],
    "torchvision.utils": [
        "draw_bounding_boxes", "draw_keypoints", "draw_segmentation_masks", "flow_to_image", "make_grid",
        "save_image",
    ],
}
