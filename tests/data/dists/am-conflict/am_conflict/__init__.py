"""Claims %common (also claimed by am-testplugin) and %lsmagic (anymagic's own)."""


def common(line):
    print("common from am-conflict")


def lsmagic(line):
    print("lsmagic from am-conflict")
