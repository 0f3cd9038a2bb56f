"""Field encryption, key handling and the recipes built on them."""
