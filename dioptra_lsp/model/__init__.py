"""Static model of entry points.  Never imports or runs user code."""
