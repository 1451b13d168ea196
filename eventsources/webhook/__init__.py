"""The webhook event source: aiohttp servers shared per port, one route per configured event."""
