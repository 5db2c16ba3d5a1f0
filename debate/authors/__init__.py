"""What authors use: signing in, the dashboard, exports."""
