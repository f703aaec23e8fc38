"""One module per subcommand.

Each module defines ``HELP`` (one line), ``DESCRIPTION`` (with copy-paste
examples), ``add_arguments(parser)`` and ``run(args) -> int``. Modules import
OpenCV and MediaPipe inside ``run`` only, so ``posecheck --help`` stays fast.
"""
