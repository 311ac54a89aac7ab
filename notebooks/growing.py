"""Grow a class one method at a time, the way the chapters build their classes.

A chapter writes a class with what it has derived so far and, cells later, adds
the next method to the same class instead of pasting the whole class again::

    @add_to_class(Layer_Dense)
    def backward(self, dvalues):
        ...

Objects made before the method was added have it too: a method lives on the class.
"""


def add_to_class(cls):
    """Decorator: attach the decorated function to ``cls`` as its method of the same name."""
    def attach(method):
        setattr(cls, method.__name__, method)
        return method
    return attach
