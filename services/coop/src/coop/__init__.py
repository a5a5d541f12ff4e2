"""Supply-coop trading service (基层供销社)."""
