"""What the outside world asks of dialogs: manage dialogs, chat, erase an owner's."""

from chatcore.dialogs.use_cases.chat import ChatRequest, ChatService, ChatSettings
from chatcore.dialogs.use_cases.dialogs import (
    CreateDialog,
    DeleteDialog,
    DialogDetail,
    GetDialog,
    ListDialogs,
    RenameDialog,
)
from chatcore.dialogs.use_cases.erasure import DialogEraser

__all__ = [
    "ChatRequest",
    "ChatService",
    "ChatSettings",
    "CreateDialog",
    "DeleteDialog",
    "DialogDetail",
    "DialogEraser",
    "GetDialog",
    "ListDialogs",
    "RenameDialog",
]
