"""Know the devices: inventories, posture history, device policy and the endpoint checks."""
