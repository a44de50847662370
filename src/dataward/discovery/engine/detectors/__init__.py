"""Hold one detector per entity type: candidate patterns plus a validator that scores them."""
