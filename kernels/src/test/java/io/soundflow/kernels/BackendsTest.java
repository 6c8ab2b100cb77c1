package io.soundflow.kernels;

import io.soundflow.kernels.vector.VectorKernels;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Backend selection: names, the fallback when the Vector API is missing, and the width setting. */
class BackendsTest {

    @Test
    void scalarByName() {
        assertThat(Backends.create("scalar")).isInstanceOf(ScalarKernels.class);
        assertThat(Backends.create("scalar").name()).isEqualTo("scalar");
    }

    @Test
    void vectorByNameWhenTheModuleIsReadable() {
        assertThat(Backends.vectorApiAvailable()).as("surefire passes --add-modules jdk.incubator.vector").isTrue();
        List<String> warnings = new ArrayList<>();
        Kernels k = Backends.create("vector", true, warnings::add);
        assertThat(k).isInstanceOf(VectorKernels.class);
        assertThat(k.name()).matches("vector\\((128|256|512)\\)");
        assertThat(warnings).isEmpty();
    }

    @Test
    void vectorFallsBackToScalarWithTheExactFlagWhenTheModuleIsMissing() {
        List<String> warnings = new ArrayList<>();
        Kernels k = Backends.create("vector", false, warnings::add);
        assertThat(k).isInstanceOf(ScalarKernels.class);
        assertThat(warnings).singleElement().asString().contains("--add-modules jdk.incubator.vector");
    }

    @Test
    void unknownNameIsAClearError() {
        assertThatThrownBy(() -> Backends.create("cuda", true, w -> { }))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("-Dsoundflow.kernels=cuda")
                .hasMessageContaining("scalar or vector");
        assertThatThrownBy(() -> Backends.create("", true, w -> { })).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theCpuBackendsAreFoundThroughServiceLoaderInTheirOrder() {
        // this module's own providers; soundflow-kernels-opencl adds "opencl" after them
        assertThat(Backends.names()).startsWith("scalar", "vector");
        assertThat(Backends.has("scalar")).isTrue();
        assertThat(Backends.has("cuda")).isFalse();
    }

    @Test
    void openclWithoutItsJarSaysWhichJarIsMissing() {
        org.junit.jupiter.api.Assumptions.assumeFalse(Backends.has("opencl"), "the opencl provider is on this class path");
        assertThatThrownBy(() -> Backends.create("opencl", true, w -> { }))
                .hasMessageContaining("soundflow-kernels-opencl");
    }

    @Test
    void vectorWidthSetting() {
        int preferred = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.vectorBitSize();
        assertThat(VectorKernels.parseBits(null)).isEqualTo(preferred);
        assertThat(VectorKernels.parseBits(" ")).isEqualTo(preferred);
        assertThat(VectorKernels.parseBits("128")).isEqualTo(128);
        assertThat(VectorKernels.parseBits(" 512 ")).isEqualTo(512);
        assertThatThrownBy(() -> VectorKernels.parseBits("384")).hasMessageContaining("choose 128, 256 or 512");
        assertThatThrownBy(() -> VectorKernels.parseBits("wide")).hasMessageContaining("not a number");
        assertThatThrownBy(() -> new VectorKernels(64)).isInstanceOf(IllegalArgumentException.class);
        for (int bits : new int[]{128, 256, 512}) {
            assertThat(new VectorKernels(bits).name()).isEqualTo("vector(" + bits + ")");
        }
    }

    @Test
    void kernelPoolThreadsMustBePositive() {
        assertThatThrownBy(() -> new KernelPool(0)).hasMessageContaining("soundflow.threads");
    }
}
