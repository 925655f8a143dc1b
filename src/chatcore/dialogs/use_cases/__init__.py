"""What the outside world asks of dialogs: manage dialogs, chat, resume and stop a
reply, finish abandoned ones, erase an owner's."""

from chatcore.dialogs.use_cases.abandoned import FinishAbandonedReplies
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
from chatcore.dialogs.use_cases.replies import ResumeReply, StopReply

__all__ = [
    "ChatRequest",
    "ChatService",
    "ChatSettings",
    "CreateDialog",
    "DeleteDialog",
    "DialogDetail",
    "DialogEraser",
    "FinishAbandonedReplies",
    "GetDialog",
    "ListDialogs",
    "RenameDialog",
    "ResumeReply",
    "StopReply",
]
