"""Authorization: policy facts, the policy engine and the read path."""
