"""Where things are on the screen: regions, the CNN's layout, the viewport. Shared by the hit tests (state) and the drawing (views)."""
