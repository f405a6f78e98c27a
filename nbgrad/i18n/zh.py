"""简体中文 (Simplified Chinese): the same keys as ``en.py``, and the ops' derivative rules as ``rule.<OpName>``."""
NAME = "简体中文"

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
    # >>> issue-13 rules
    # <<< issue-13 rules
}
