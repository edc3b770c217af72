"""What comes back after mail goes out: opens and clicks, unsubscribes, bounces and
complaints, double opt-in confirmations, and the suppression list they feed."""
