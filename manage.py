#!/usr/bin/env python
from tpclinic.manage import main

if __name__ == "__main__":
    main()
