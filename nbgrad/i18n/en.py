"""English: every key of the catalogue (see ``nbgrad/i18n/__init__.py``). Other languages translate these."""
NAME = "English"

MESSAGES = {
    # >>> issue-13 display
    # <<< issue-13 display
    # >>> issue-13 widgets
    # <<< issue-13 widgets
    # >>> issue-13 exercises
    # <<< issue-13 exercises
    # >>> issue-13 modules
    # <<< issue-13 modules
    # >>> issue-13 launch
    # <<< issue-13 launch
}
