"""The parts of PyTorch's API glasstorch leaves out on purpose, with the reason (read by api_coverage.py).

Each namespace maps to (regular expression matched against the whole name, reason). Keep reasons short and
true: what the names are for and why a NumPy framework for learning does not carry them. A name that is
implemented anyway is reported as implemented.
"""

_JIT = ("TorchScript and the JIT compiler's C++ types (graphs, schemas, script modules, type objects)")
_VENDOR = "vendor kernels and backend entry points (cuDNN, MIOpen, oneDNN/mkldnn, FBGEMM, Vulkan, native_*)"
_QUANT = "quantization (quantized dtypes, observers, fake-quantize): integer inference kernels, out of scope"
_SPARSE = "sparse layouts (COO, CSR, CSC, BSR, BSC) and their kernels: glasstorch has dense (strided) tensors only"
_COMPLEX = "complex dtypes: glasstorch's tensors are real (NumPy float/int/bool)"
_COPY = ("functionalization's *_copy twins of view ops (view_copy, t_copy ...), made for compiler backends: "
         "the view op followed by .clone()")
_TYPED_STORAGE = "legacy typed storages (FloatStorage ...), deprecated in PyTorch 2; untyped_storage() is there"
_STREAMS = "device streams and events (CUDA/accelerator internals)"
_SYM = "symbolic shapes for torch.compile (SymInt, sym_*)"
_DEVICES = "devices glasstorch has no backend for (IPU, XPU, MTIA, MAIA, MPS, XLA, Vulkan, HPU)"
_NESTED = "nested (jagged) tensors"
_REMOVED = "removed from PyTorch 2 (calling it raises there too)"
_SYNCBN = "SyncBatchNorm's CUDA kernels (batch_norm_stats, batch_norm_gather_stats ...)"
_SMALL_DTYPES = ("8-bit and 4-bit floats, sub-byte integers and bit types: NumPy has no such dtypes")
_IMPORTED = ("names PyTorch's module imports for itself (typing, functools, collections, torch.overrides) or "
             "keeps for its docstrings: not part of the namespace's API")
_INTERNAL = "PyTorch build and process internals (not part of its user API)"
_LOW_PRECISION_MM = ("FP8/MX scaled and grouped (mixture-of-experts) matrix-product kernels: CUDA kernels "
                     "for 8-bit floats, which NumPy does not have")
_PROFILER = "the Kineto profiler's C++ types (activities, events, configs): glasstorch's profiler is pure Python"
_DATAPIPES = ("DataPipes: deprecated in PyTorch 2 and removed from torchdata (0.10); DataLoader over "
              "Dataset/IterableDataset is the supported path")

# torchvision (its names come from torchvision_names.py: torchvision does not install beside this torch)
_TV_BACKBONES = ("ImageNet backbones not built in glasstorch: RegNet X/Y (widths from a quantized linear rule, "
                 "group convolutions with SE), Swin V1/V2 (shifted-window attention with relative-position bias "
                 "tables), MaxViT (multi-axis block and grid attention); the registry's other classifiers "
                 "(ResNet, VGG, DenseNet, MobileNet, ShuffleNet, MNASNet, EfficientNet, ConvNeXt, ViT) cover the "
                 "same API")
_TV_SWAG = ("ViT-H/14's only weights are the SWAG ones (518 x 518 end-to-end and linear-probe, under the SWAG "
            "licence); vit_h_14 takes a local path or a state_dict")
_TV_DETECTION_DATA = ("detection, segmentation and keypoint datasets (COCO JSON via pycocotools, Pascal VOC XML, "
                      "Cityscapes, SBD .mat boundaries, WIDER Face, KITTI), whose targets are boxes and masks: "
                      "glasstorch has no tv_tensors (BoundingBoxes, Mask) and no detection models")
_TV_FLOW_DATA = ("optical-flow and stereo-matching datasets (.flo/.pfm/16-bit PNG disparity files): optical flow "
                 "and stereo are out of this course's scope")
_TV_VIDEO_DATA = ("video datasets (HMDB51, UCF101, Kinetics clips, MovingMNIST sequences): decoding needs "
                  "ffmpeg/PyAV (torchvision.io), and video models are out of scope")
_TV_ARCHIVE_DATA = ("classification datasets that torchvision downloads as their own archives (tar/zip of "
                    "JPEG/PNG with .txt/.csv/.mat split files) in per-dataset layouts: glasstorch downloads "
                    "nothing for them; extract the archive into one folder per class and use ImageFolder")
_TV_OTHER_FORMATS = ("datasets in file formats of their own that glasstorch has no reader for: PCAM (HDF5, needs "
                     "h5py), LSUN (LMDB databases, needs lmdb), SBU and Flickr8k/30k (lists of Flickr image URLs "
                     "with captions), PhotoTour (patch pairs for descriptor matching), STL10 (raw .bin arrays in a "
                     "2.6 GB tar.gz, with a 100k-image unlabeled split), Omniglot (few-shot alphabets), SEMEION "
                     "(a text matrix of 16x16 bits), USPS (bz2 libsvm text), FER2013 (a Kaggle CSV of pixel "
                     "strings, behind a Kaggle login)")
_TV_WRAP = "wrap_dataset_for_transforms_v2 wraps detection/segmentation targets into tv_tensors, which glasstorch lacks"
_TV_BOXES = ("bounding-box transforms (tv_tensors.BoundingBoxes for detection): glasstorch's v2 transforms plain "
             "images only")
_TV_VIDEO = "video transforms (frames of a tv_tensors.Video): video is out of scope"
_TV_JPEG = "JPEG re-compression needs torchvision.io's libjpeg encoder/decoder on tensors"

EXCLUDED = {
    "torch": [
        (r"AliasDb|Argument|ArgumentSpec|Block|CallStack|Capsule|Code|CompilationUnit|CompleteArgumentSpec|"
         r"ConcreteModuleType(Builder)?|DeepCopyMemoTable|ErrorReport|ExecutionPlan|FileCheck|FunctionSchema|"
         r"Gradient|Graph|GraphExecutorState|IODescriptor|InferredType|JITException|LiteScriptModule|"
         r"LockingLogger|LoggerBase|NoopLogger|Node|OperatorInfo|Script\w*|StaticModule|TracingState|Use|Value|"
         r"\w+Type|Type|merge_type_from_type_comment|parse_ir|parse_schema|parse_type_comment|"
         r"import_ir_module\w*|unify_type_list|fork|wait|Future|AggregationType|Tag|DispatchKey(Set)?|"
         r"ExcludeDispatchKeyGuard|DisableTorchFunction(Subclass)?|classproperty|BenchmarkConfig|"
         r"BenchmarkExecutionStats|ThroughputBenchmark|SerializationStorageContext|"
         r"DeserializationStorageContext|BufferDict|ModuleDict|ParameterDict|AVG|SUM", _JIT),
        (r"(cudnn|miopen|mkldnn|fbgemm)_\w+|native_\w+|is_vulkan_available|conv_tbc|"
         r"affine_grid_generator|grid_sampler(_2d|_3d)?|embedding_renorm_|norm_except_dim|"
         r"constant_pad_nd|convolution|frobenius_norm|nuclear_norm", _VENDOR),
        (r"batch_norm_(backward_elemt|backward_reduce|elemt|gather_stats(_with_counts)?|stats|update_stats)",
         _SYNCBN),
        (r"quantize\w*|quantized_\w+|dequantize|fake_quantize\w*|q_\w+|qscheme|int_repr|choose_qparams\w*|"
         r"fused_moving_avg_obs_fake_quant|empty_quantized|Q(U)?Int\w*Storage", _QUANT),
        (r"sparse_\w+|(ccol|col|crow|row)_indices_copy|indices_copy|values_copy|hspmm|smm|spmm|dsmm|hsmm|"
         r"saddmm|sspaddmm|resize_as_sparse_", _SPARSE),
        (r"complex|polar|view_as_complex(_copy)?|view_as_real(_copy)?|Complex\w*Storage|stft|istft|imag", _COMPLEX),
        (r"slice_inverse", _COPY),
        (r"(alias|as_strided|detach|diagonal|expand|permute|select|slice|split|split_with_sizes|squeeze|t|"
         r"transpose|unbind|unfold|unsqueeze|view)_copy", _COPY),
        (r"(BFloat16|Bool|Byte|Char|Double|Float|Half|Int|Long|Short)Storage|TypedStorage|Storage|StorageBase",
         _TYPED_STORAGE),
        (r"Stream|Event|StreamObjType", _STREAMS),
        (r"float8_\w+|float4_\w+|bits\w+|u?int[1-7]|bit", _SMALL_DTYPES),
        (r"complex32|complex64|complex128|cdouble|cfloat|chalf", _COMPLEX),
        (r"qint\d+|quint\w+|per_channel_\w+|per_tensor_\w+", _QUANT),
        (r"jagged", _NESTED),
        (r"Sym(Int|Float|Bool)|sym_\w+", _SYM),
        (r"(get|set|is)_autocast_(ipu|xla)_\w+", _DEVICES),
        (r"symeig|solve|lstsq|eig|matrix_rank", _REMOVED),
        (r"compiled_with_cxx11_abi|prepare_multiprocessing_environment|profiler_allow_cudagraph_\w+|"
         r"init_num_threads|get_file_path|thread_safe_generator|hash_tensor|PyTorchFileReader|"
         r"PyTorchFileWriter|AcceleratorError|segment_reduce|PRIVATE_OPS|TYPE_CHECKING|USE_GLOBAL_DEPS|"
         r"USE_RTLD_GLOBAL_WITH_LIBTORCH|FatalError|get_device_module", _INTERNAL),
    ],
    "torch.Tensor": [
        (r"coalesce|is_coalesced|(ccol|col|crow|row)_indices|indices|values|dense_dim|sparse_dim|sparse_mask|"
         r"sparse_resize_\w*|to_sparse\w*|is_sparse_csr|smm|sspaddmm|resize_as_sparse_", _SPARSE),
        (r"dequantize|int_repr|q_\w+|qscheme", _QUANT),
        (r"cdouble|cfloat|chalf|imag|stft|istft", _COMPLEX),
        (r"slice_inverse", _COPY),
        (r"index", "first-class dimensions (functorch.dim's Tensor.index), a prototype"),
        (r"ipu|xpu|mtia|is_ipu|is_xpu|is_mps|is_maia|is_mtia|is_vulkan|is_xla|is_mkldnn|to_mkldnn|record_stream",
         _DEVICES),
        (r"is_nested|to_padded_tensor", _NESTED),
        (r"reinforce|volatile|symeig|eig|lstsq|solve", _REMOVED),
        (r"module_load|storage_type|is_set_to|set_|hash_tensor", _INTERNAL),
    ],
    "torch.linalg": [
        (r"eig|eigvals", "general eigendecomposition: its results are complex"),
        (r"common_notes", "a dict of docstring fragments in PyTorch's source, not an API"),
    ],
    "torch.special": [
        (r"Tensor|common_args|multi_dim_common", "names torch/special/__init__.py imports or builds for its "
         "docstrings, not functions of torch.special"),
    ],
    "torch.nn.functional": [
        (r"BroadcastingList\d|Callable|DType|Optional|ScalingType|SwizzleType|TYPE_CHECKING|Tensor|"
         r"assert_int_or_pair|boolean_dispatch|handle_torch_function|has_torch_function\w*|"
         r"reproducibility_notes|sparse_support_notes|tf32_notes|GRID_SAMPLE_\w+", _IMPORTED),
        (r"grouped_mm|scaled_mm|scaled_grouped_mm", _LOW_PRECISION_MM),
    ],
    "torch.nn.init": [
        (r"Callable|Literal|ParamSpec|Tensor|TypeVar", _IMPORTED),
    ],
    "torch.optim.lr_scheduler": [
        (r"Any|Literal|Self|SupportsFloat|TYPE_CHECKING|Tensor|TypedDict|annotations|cast|inf|override|partial|"
         r"ref|wraps", _IMPORTED),
    ],
    "torch.autograd": [
        (r"Mapping|Sequence|cast|overload|handle_torch_function|has_torch_function|is_tensor_like", _IMPORTED),
        (r"DeviceType|Profiler(Activity|Config|Event|State)", _PROFILER),
    ],
    "torch.utils.data": [
        (r"\w*DataPipe|DataChunk|functional_datapipe|guaranteed_datapipes_determinism|non_deterministic|"
         r"argument_validation|runtime_validation|runtime_validation_disabled", _DATAPIPES),
    ],
    "torch.fft": [
        (r"\w+", _COMPLEX + " (the Fourier transforms return complex tensors)"),
    ],
    "torchvision.models": [
        (r"RegNet\w*|regnet_\w+|Swin\w*|swin_\w+|"
         r"MaxVit\w*|maxvit_t", _TV_BACKBONES),
        (r"ViT_H_14_Weights", _TV_SWAG),
    ],
    "torchvision.datasets": [
        (r"CocoCaptions|CocoDetection|VOCDetection|VOCSegmentation|Cityscapes|SBDataset|WIDERFace|Kitti",
         _TV_DETECTION_DATA),
        (r"KittiFlow|Sintel|FlyingChairs|FlyingThings3D|HD1K|\w+Stereo\w*|InStereo2k", _TV_FLOW_DATA),
        (r"HMDB51|UCF101|Kinetics|MovingMNIST", _TV_VIDEO_DATA),
        (r"Caltech101|Caltech256|CelebA|CLEVRClassification|Country211|DTD|EuroSAT|FGVCAircraft|"
         r"Flowers102|Food101|GTSRB|ImageNet|Imagenette|INaturalist|LFWPairs|LFWPeople|OxfordIIITPet|Places365|"
         r"RenderedSST2|StanfordCars|SUN397", _TV_ARCHIVE_DATA),
        (r"PCAM|LSUN|LSUNClass|SBU|Flickr8k|Flickr30k|PhotoTour|STL10|Omniglot|SEMEION|USPS|FER2013",
         _TV_OTHER_FORMATS),
        (r"wrap_dataset_for_transforms_v2", _TV_WRAP),
    ],
    "torchvision.transforms.v2": [
        (r"ClampBoundingBoxes|ConvertBoundingBoxFormat|SanitizeBoundingBoxes|RandomIoUCrop|ScaleJitter|"
         r"get_bounding_boxes", _TV_BOXES),
        (r"UniformTemporalSubsample", _TV_VIDEO),
        (r"JPEG", _TV_JPEG),
    ],
}
