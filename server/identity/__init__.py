"""Who a user is: identity numbers, real-name binding and the accounts linked to one citizen."""
