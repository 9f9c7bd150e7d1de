"""The shell: the main loop, the window, signals, systemd notifications and the out-of-order screen. The top of the runtime: it builds the state and the views and joins them."""
