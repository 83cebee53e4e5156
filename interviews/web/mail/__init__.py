"""The development mailbox: the emails the app sent, as their recipients see them."""
