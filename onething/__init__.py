"""onething: WeChat backend for bundled government "one thing" services (一件事一次办)."""

__version__ = "0.1.0"
