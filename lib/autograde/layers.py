"""The layer classes that may cross the wire, by name (the same table on both sides).

An exercise may pass a layer to the student's function (lesson 05's Softmax, lesson 06's
LSTMs) or get one back in a cache; it travels as its registered name and its attributes.
"""

from rnnlab.layers import LSTM, Dense, Softmax

LAYERS = {Softmax: "Softmax", LSTM: "LSTM", Dense: "Dense"}
BY_NAME = {name: cls for cls, name in LAYERS.items()}
COUNTED = ("forward", "backward")  # methods whose calls the sandbox counts
