from tui.cli import main

# Guarded, as multiprocessing asks of a main module, so that importing it runs nothing.
if __name__ == "__main__":
    main()
