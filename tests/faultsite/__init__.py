"""A misbehaving copy of giaoducthoidai.vn served on loopback, for the fault tests."""
