"""Image codecs."""

from adapters.images.pillow import PillowImageNormalizer

__all__ = ["PillowImageNormalizer"]
