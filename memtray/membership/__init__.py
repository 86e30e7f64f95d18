"""Who belongs to a vault: each laptop's own key pair, the signed roster of member laptops, and the key epochs
that a removal starts (see docs/design.md, "Membership")."""
