"""Studies, host availability, free slots, bookings and the links to manage them."""
