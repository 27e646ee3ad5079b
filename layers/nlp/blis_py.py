"""blis.py replacement for the Lambda layer: thinc's NumpyOps.gemm delegates to numpy (OpenBLAS).

The compiled blis/py.so (17.7 MB) duplicates the BLIS library already inside blis/cy.so; thinc only
calls ``blis.py.gemm`` (float32, beta=0), which numpy.matmul computes with numpy's bundled OpenBLAS.
"""

import numpy


def gemm(A, B, out=None, trans1=False, trans2=False, alpha=1.0, beta=1.0):
    a = A.T if trans1 else A
    b = B.T if trans2 else B
    if out is None:
        out = numpy.matmul(a, b)
        if alpha != 1.0:
            out *= alpha
        return out
    if beta == 0.0:
        numpy.matmul(a, b, out=out)
        if alpha != 1.0:
            out *= alpha
    else:
        out *= beta
        out += alpha * numpy.matmul(a, b)
    return out
