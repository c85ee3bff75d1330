# Certificate templates and certificates arrive with the certificates issue (#5).
