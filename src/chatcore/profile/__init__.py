"""Profiles (display name, locale, settings, avatar) and saved items.

This package exports the context's types: its model and its ports; its use cases
are exported by ``chatcore.profile.use_cases``."""

from chatcore.profile.model import (
    Profile,
    ProfileChanges,
    ProfilePolicy,
    ProfileView,
    SavedItem,
    SavedItemId,
)
from chatcore.profile.ports import (
    ImageKind,
    ImageNormalizer,
    NormalizedImage,
    ProfileRepository,
    SavedItemRepository,
)

__all__ = [
    "ImageKind",
    "ImageNormalizer",
    "NormalizedImage",
    "Profile",
    "ProfileChanges",
    "ProfilePolicy",
    "ProfileRepository",
    "ProfileView",
    "SavedItem",
    "SavedItemId",
    "SavedItemRepository",
]
