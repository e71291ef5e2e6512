package io.advrank.core.model;

import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns libtorch's NNPACK convolutions off on CPUs NNPACK cannot run on. There libtorch asks NNPACK
 * again on every convolution that might use it and logs "Could not initialize NNPACK! Reason:
 * Unsupported hardware" to stderr each time, past every Java logger (22,236 lines in a 3-minute
 * demo on the RGB fixture's model); other kernels run either way. DJL exposes no switch, so this
 * calls what {@code torch.backends.nnpack.set_flags(False)} calls, {@code
 * at::globalContext().setUserEnabledNNPACK(false)}, through libtorch's exported C++ symbols. Where
 * NNPACK runs, nothing changes. libtorch still logs the line once, when it is first asked.
 */
final class Nnpack {
  private static final Logger log = LoggerFactory.getLogger(Nnpack.class);

  private Nnpack() {}

  /** Whether NNPACK was turned off in this process; decided once, on first call. */
  static boolean offWhereUnsupported() {
    return Once.OFF;
  }

  /** Whether libtorch would try NNPACK now (false on engines other than PyTorch). */
  static boolean enabled() {
    if (!Autograd.pyTorch()) {
      return false;
    }
    NativeLibrary torch = torch();
    return isTrue(
        torch
            .getFunction("_ZNK2at7Context17userEnabledNNPACKEv")
            .invokeInt(new Object[] {globalContext(torch)}));
  }

  private static final class Once {
    static final boolean OFF = turnOffWhereUnsupported();
  }

  private static boolean turnOffWhereUnsupported() {
    if (!Autograd.pyTorch()) {
      return false;
    }
    try {
      NativeLibrary torch = torch();
      Function available = torch.getFunction("_ZN2at6native17_nnpack_availableEv");
      if (isTrue(available.invokeInt(new Object[0]))) {
        return false;
      }
      torch
          .getFunction("_ZN2at7Context20setUserEnabledNNPACKEb")
          .invokeVoid(new Object[] {globalContext(torch), Boolean.FALSE});
      log.debug("NNPACK cannot run on this CPU: libtorch's NNPACK convolutions turned off");
      return true;
    } catch (UnsatisfiedLinkError | RuntimeException e) {
      log.debug("libtorch's NNPACK switch not reached: {}", e.toString());
      return false;
    }
  }

  /** libtorch's CPU library, already loaded by DJL (found by its name among loaded objects). */
  private static NativeLibrary torch() {
    return NativeLibrary.getInstance("torch_cpu");
  }

  /** {@code at::globalContext()}, the object libtorch's switches are members of. */
  private static Pointer globalContext(NativeLibrary torch) {
    return torch.getFunction("_ZN2at13globalContextEv").invokePointer(new Object[0]);
  }

  /** A C++ {@code bool} comes back in the low byte of the return register; the rest is junk. */
  private static boolean isTrue(int returned) {
    return (returned & 0xff) != 0;
  }
}
