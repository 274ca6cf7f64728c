from tui.cli import main

# Guarded: a worker process started with "spawn" imports the parent's __main__
# (as __mp_main__), and must not open a second reader.
if __name__ == "__main__":
    main()
