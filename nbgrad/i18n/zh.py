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
    "launch.installed_lessons": "{path} 位于已安装的软件包中（{folder}），重新执行会改动 nbgrad 自身的文件："
                                "请先用 `python -m nbgrad lessons DIR` 复制课程，再执行复制出的副本。未写入任何文件。",
    "launch.args_without_launch": "-- 之后的参数是传给 JupyterLab 的，而 --no-launch 不会启动 JupyterLab",
    # <<< issue-13 launch
    # >>> issue-13 rules
    # <<< issue-13 rules
}
