"""SpatialMosaicVLM (SPEC §6) at three scales that share one code path.

``geometry`` is the multi-view geometry encoder (VGGT-like, or the official VGGT through its
adapter), ``fusion`` injects its tokens into the visual tokens, ``vision`` holds the vision
encoders, ``vlm`` assembles vision encoder + fusion + projector + causal language model.
"""
