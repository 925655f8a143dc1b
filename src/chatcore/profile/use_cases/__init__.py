"""What the outside world asks of profiles: read and change a profile and its
avatar, save and list items, erase an owner's."""
