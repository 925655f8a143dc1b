"""What the outside world asks of profiles: read and change a profile and its
avatar, save and list items, erase an owner's."""

from chatcore.profile.use_cases.avatars import AvatarFile, GetAvatarFile, RemoveAvatar, SetAvatar
from chatcore.profile.use_cases.erasure import ProfileEraser
from chatcore.profile.use_cases.profile import GetProfile, UpdateProfile
from chatcore.profile.use_cases.saved import DeleteSavedItem, ListSavedItems, SaveItem

__all__ = [
    "AvatarFile",
    "DeleteSavedItem",
    "GetAvatarFile",
    "GetProfile",
    "ListSavedItems",
    "ProfileEraser",
    "RemoveAvatar",
    "SaveItem",
    "SetAvatar",
    "UpdateProfile",
]
