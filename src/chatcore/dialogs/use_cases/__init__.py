"""What the outside world asks of dialogs: manage dialogs, chat, erase an owner's."""
