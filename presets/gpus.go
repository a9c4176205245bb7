package presets

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/tscale/tscale/scale"
)

// gpu is one accelerator of the table: its datasheet figures and the other
// names it is looked up by.
type gpu struct {
	scale.Device
	aliases []string
}

// gpuTable is the accelerators tscale knows, with dense peaks (no 2:4
// sparsity: a datasheet that prints only sparse tensor figures is halved;
// one that prints a dense column is taken as printed). memory_bytes is what
// the driver reports (nvidia-smi memory.total in MiB × 2^20, rocm-smi's VRAM
// total) where it is published, else the vendor's figure read as GiB;
// bandwidth is the vendor's peak in decimal bytes per second; fp32 is the
// vector (non-tensor) peak and int8 counts operations. Researched for tscale
// from stored copies of each vendor document, named in Sources
// (/work/research/gpus.md in the project's notes has the cross-checks).
var gpuTable = []gpu{
	{Device: scale.Device{
		Slug: "a100-40gb", Name: "NVIDIA A100 40GB SXM4",
		MemoryBytes:             42_949_672_960,
		MemoryNote:              "vendor: 40 GB HBM2 (=40 GiB physical); nvidia-smi memory.total 40960 MiB = 40 GiB; CUDA-visible (deviceQuery) 42,405,855,232 B",
		BandwidthBytesPerSecond: 1_555_000_000_000,
		PeakFLOPs:               []scale.PeakFLOPs{peak("fp32", 19_500_000_000_000), peak("tf32", 156_000_000_000_000), peak("bf16", 312_000_000_000_000), peak("fp16", 312_000_000_000_000), peak("int8", 624_000_000_000_000)},
		Sources:                 []string{"NVIDIA A100 datasheet (nvidia-a100-datasheet-us-nvidia-1758950-r4-web.pdf), dense column (sparse x2 marked *); read via glennklockwood.com/garden/processors/A100 and upb-pc2 wiki copy"},
	}, aliases: []string{"a100-sxm4-40gb"}},
	{Device: scale.Device{
		Slug: "a100-80gb", Name: "NVIDIA A100 80GB SXM4",
		MemoryBytes:             85_899_345_920,
		MemoryNote:              "vendor: 80 GB HBM2e (=80 GiB physical); nvidia-smi memory.total 81920 MiB = 80 GiB; PyTorch sees ~79.15 GiB",
		BandwidthBytesPerSecond: 2_039_000_000_000,
		PeakFLOPs:               []scale.PeakFLOPs{peak("fp32", 19_500_000_000_000), peak("tf32", 156_000_000_000_000), peak("bf16", 312_000_000_000_000), peak("fp16", 312_000_000_000_000), peak("int8", 624_000_000_000_000)},
		Sources:                 []string{"NVIDIA A100 datasheet r4 (same compute as 40GB; 2,039 GB/s SXM 80GB); read via glennklockwood.com/garden/processors/A100, thundercompute A100 spec table"},
	}, aliases: []string{"a100-sxm4-80gb"}},
	{Device: scale.Device{
		Slug: "h100-sxm", Name: "NVIDIA H100 SXM5 80GB",
		MemoryBytes:             85_520_809_984,
		MemoryNote:              "vendor: 80 GB HBM3 (5 stacks x 16 GiB = 80 GiB physical); nvidia-smi memory.total 81559 MiB (=79.65 GiB) for 'NVIDIA H100 80GB HBM3'",
		BandwidthBytesPerSecond: 3_350_000_000_000,
		PeakFLOPs:               []scale.PeakFLOPs{peak("fp32", 67_000_000_000_000), peak("tf32", 494_500_000_000_000), peak("bf16", 989_500_000_000_000), peak("fp16", 989_500_000_000_000), peak("fp8", 1_979_000_000_000_000), peak("int8", 1_979_000_000_000_000)},
		Sources:                 []string{"NVIDIA H100 Tensor Core GPU datasheet (resources.nvidia.com/en-us-tensor-core/nvidia-tensor-core-gpu-datasheet): tensor figures are *with sparsity*, halved here; whitepaper-precise dense: FP32 66.9, TF32 494.7, BF16 989.4, FP8 1978.9 (glennklockwood.com/garden/processors/h100); datasheet copy archive-lib.hpctech.co.jp/gpuproduct/nvidia-h100.html"},
	}, aliases: []string{"h100", "h100-sxm5-80gb"}},
	{Device: scale.Device{
		Slug: "h100-pcie", Name: "NVIDIA H100 PCIe 80GB",
		MemoryBytes:             85_520_809_984,
		MemoryNote:              "vendor: 80 GB HBM2e; nvidia-smi memory.total 81559 MiB for 'NVIDIA H100 PCIe'",
		BandwidthBytesPerSecond: 2_000_000_000_000,
		PeakFLOPs:               []scale.PeakFLOPs{peak("fp32", 51_000_000_000_000), peak("tf32", 378_000_000_000_000), peak("bf16", 756_500_000_000_000), peak("fp16", 756_500_000_000_000), peak("fp8", 1_513_000_000_000_000), peak("int8", 1_513_000_000_000_000)},
		Sources:                 []string{"NVIDIA H100 datasheet (PCIe column; sparse figures halved) via archive-lib.hpctech.co.jp/gpuproduct/nvidia-h100.html; product brief PB-11133-001 says bandwidth 'greater than 2,000 GB/s'; whitepaper FP32 51.2"},
	}, aliases: []string{"h100-pcie-80gb"}},
	{Device: scale.Device{
		Slug: "h200", Name: "NVIDIA H200 SXM 141GB",
		MemoryBytes:             150_754_820_096,
		MemoryNote:              "vendor: 141 GB HBM3e (6 stacks x 24 GiB = 144 GiB physical); nvidia-smi memory.total 143771 MiB (=140.40 GiB); PyTorch sees ~139.8 GiB",
		BandwidthBytesPerSecond: 4_800_000_000_000,
		PeakFLOPs:               []scale.PeakFLOPs{peak("fp32", 67_000_000_000_000), peak("tf32", 494_500_000_000_000), peak("bf16", 989_500_000_000_000), peak("fp16", 989_500_000_000_000), peak("fp8", 1_979_000_000_000_000), peak("int8", 1_979_000_000_000_000)},
		Sources:                 []string{"NVIDIA H200 datasheet (resources.nvidia.com/.../hpc-datasheet-sc23-h200): same compute as H100 SXM, tensor figures *with sparsity* halved; read via astroC86/gpu-datasheet README and lzwjava H200 spec page"},
	}, aliases: []string{"h200-sxm-141gb"}},
	{Device: scale.Device{
		Slug: "b200", Name: "NVIDIA B200 (HGX B200, per GPU)",
		MemoryBytes:             192_265_846_784,
		MemoryNote:              "vendor: HGX B200 spec 180 GB HBM3E (launch material said 192 GB = 8 x 24 GiB physical); nvidia-smi memory.total 183359 MiB (=179.06 GiB)",
		BandwidthBytesPerSecond: 7_700_000_000_000,
		PeakFLOPs:               []scale.PeakFLOPs{peak("fp32", 75_000_000_000_000), peak("tf32", 1_100_000_000_000_000), peak("bf16", 2_250_000_000_000_000), peak("fp16", 2_250_000_000_000_000), peak("fp8", 4_500_000_000_000_000), peak("int8", 4_500_000_000_000_000), peak("fp4", 9_000_000_000_000_000)},
		Sources:                 []string{"NVIDIA HGX B200 spec table 'Individual Blackwell GPU' (nvidia.com/en-us/data-center/hgx/): FP4 18 PF, FP8/FP6 9 PF, INT8 9 POPS, FP16/BF16 4.5 PF, TF32 2.2 PF (all with sparsity, halved here), FP32 75 TF; 180GB | 7.7 TB/s; read via zdszero.github.io hardware notes and verda.com GB300 blog (dense column)"},
	}},
	{Device: scale.Device{
		Slug: "gb200", Name: "NVIDIA GB200 (per Blackwell GPU, NVL72)",
		MemoryBytes:             198_674_743_296,
		MemoryNote:              "vendor: GB200 NVL72 spec 186 GB HBM3E per GPU (early material: 192 GB); nvidia-smi memory.total 189471 MiB (=185.03 GiB) for 'NVIDIA GB200'",
		BandwidthBytesPerSecond: 8_000_000_000_000,
		PeakFLOPs:               []scale.PeakFLOPs{peak("fp32", 80_000_000_000_000), peak("tf32", 1_250_000_000_000_000), peak("bf16", 2_500_000_000_000_000), peak("fp16", 2_500_000_000_000_000), peak("fp8", 5_000_000_000_000_000), peak("int8", 5_000_000_000_000_000), peak("fp4", 10_000_000_000_000_000)},
		Sources:                 []string{"NVIDIA GB200 NVL72 spec table 'Individual Blackwell GPU' (nvidia.com/en-us/data-center/gb200-nvl72/): FP4 20 PF, FP8/FP6 10 PF, INT8 10 POPS, FP16/BF16 5 PF, TF32 2.5 PF (with sparsity, halved), FP32 80 TF; 186GB | 8 TB/s; read via zdszero.github.io; glennklockwood B200 page gives same dense values"},
	}},
	{Device: scale.Device{
		Slug: "l40s", Name: "NVIDIA L40S",
		MemoryBytes:             48_305_799_168,
		MemoryNote:              "vendor: 48 GB GDDR6 with ECC; nvidia-smi memory.total 46068 MiB (=44.99 GiB = 48 GiB x 15/16, ECC on by default)",
		BandwidthBytesPerSecond: 864_000_000_000,
		PeakFLOPs:               []scale.PeakFLOPs{peak("fp32", 91_600_000_000_000), peak("tf32", 183_000_000_000_000), peak("bf16", 362_050_000_000_000), peak("fp16", 362_050_000_000_000), peak("fp8", 733_000_000_000_000), peak("int8", 733_000_000_000_000)},
		Sources:                 []string{"NVIDIA L40S datasheet dense column (TF32 183|366*, BF16/FP16 362.05|733*, FP8 733|1,466*); read via mullet.se L40/L40S datasheet copy; note 733/2=366.5, the datasheet's own dense BF16 is 362.05"},
	}},
	{Device: scale.Device{
		Slug: "rtx-4090", Name: "NVIDIA GeForce RTX 4090",
		MemoryBytes:             25_757_220_864,
		MemoryNote:              "vendor: 24 GB GDDR6X (384-bit, 21 Gbps); nvidia-smi memory.total 24564 MiB (=23.99 GiB)",
		BandwidthBytesPerSecond: 1_008_000_000_000,
		PeakFLOPs:               []scale.PeakFLOPs{peak("fp32", 82_600_000_000_000), peak("tf32", 82_600_000_000_000), peak("bf16", 165_200_000_000_000), peak("fp16", 165_200_000_000_000), peak("fp8", 330_300_000_000_000), peak("int8", 660_600_000_000_000)},
		Sources:                 []string{"NVIDIA Ada Lovelace architecture whitepaper v2.02 Appendix A (images.nvidia.com/aem-dam/Solutions/Data-Center/l4/nvidia-ada-gpu-architecture-whitepaper-V2.02.pdf): FP16/BF16 tensor with FP32 accumulate 165.2 dense (330.3 with FP16 accumulate), FP8 330.3 (FP32 acc; 660.6 FP16 acc); read via waredb.com RTX 4090 page; measured ~165 TFLOP/s bf16 (zzc0721/torch-performance-test-data#78)"},
	}},
	{Device: scale.Device{
		Slug: "mi300x", Name: "AMD Instinct MI300X",
		MemoryBytes:             205_822_885_888,
		MemoryNote:              "vendor: 192 GB HBM3 (8 x 24 GiB = 192 GiB physical); rocm-smi VRAM Total Memory 205,822,885,888 B (=191.69 GiB)",
		BandwidthBytesPerSecond: 5_300_000_000_000,
		PeakFLOPs:               []scale.PeakFLOPs{peak("fp32", 163_400_000_000_000), peak("tf32", 653_700_000_000_000), peak("bf16", 1_307_400_000_000_000), peak("fp16", 1_307_400_000_000_000), peak("fp8", 2_614_900_000_000_000), peak("int8", 2_614_900_000_000_000)},
		Sources:                 []string{"AMD Instinct MI300X data sheet (amd.com .../amd-instinct-mi300x-data-sheet.pdf): dense peaks (sparsity doubles TF32/FP16/BF16/FP8/INT8); read via stas00/ml-engineering compute/accelerator/README.md (1307.4 = 2100 MHz x 1216 x 256 x 2) and alpharomercoma/MI300X-vs-H200 METHODOLOGY.md"},
	}},
	{Device: scale.Device{
		Slug: "mi325x", Name: "AMD Instinct MI325X",
		MemoryBytes:             274_877_906_944,
		MemoryNote:              "vendor: 256 GB HBM3E (ROCm gpu-specs lists 256 GiB); usable bytes not found, nominal 256 GiB used",
		BandwidthBytesPerSecond: 6_000_000_000_000,
		PeakFLOPs:               []scale.PeakFLOPs{peak("fp32", 163_400_000_000_000), peak("tf32", 653_700_000_000_000), peak("bf16", 1_307_400_000_000_000), peak("fp16", 1_307_400_000_000_000), peak("fp8", 2_614_900_000_000_000), peak("int8", 2_614_900_000_000_000)},
		Sources:                 []string{"AMD MI325X product page (amd.com/en/products/accelerators/instinct/mi300/mi325x.html): same compute as MI300X, 256 GB HBM3E, 6 TB/s; read via awesomeagents.ai/hardware/amd-mi325x (FP8 2,614.9 dense, 5,229.8 sparse), docs.vultr.com ROCm hardware requirements, rocm.docs.amd.com gpu-specs"},
	}},
	{Device: scale.Device{
		Slug: "tpu-v5e", Name: "Google TPU v5e (per chip)",
		MemoryBytes:             17_179_869_184,
		MemoryNote:              "vendor: 'HBM2 16 GB' / 'HBM capacity per chip 16 GB' (Cloud TPU v5e doc); taken as 16 GiB; usable bytes not found",
		BandwidthBytesPerSecond: 819_000_000_000,
		PeakFLOPs:               []scale.PeakFLOPs{peak("bf16", 197_000_000_000_000), peak("int8", 393_000_000_000_000)},
		Sources:                 []string{"Cloud TPU v5e system architecture (cloud.google.com/tpu/docs/v5e): bf16 197 TFLOPs, Int8 393 TOPs, HBM2 16 GB at 819 GBps (another doc revision says '800 GiBps'), ICI 400 GBps bidirectional; no fp32/fp16/fp8 peaks published"},
	}},
	{Device: scale.Device{
		Slug: "tpu-v5p", Name: "Google TPU v5p (per chip)",
		MemoryBytes:             102_005_473_280,
		MemoryNote:              "vendor: 'HBM capacity per chip (GiB) 95' (current doc; older revision says 95GB); usable bytes not found",
		BandwidthBytesPerSecond: 2_765_000_000_000,
		PeakFLOPs:               []scale.PeakFLOPs{peak("bf16", 459_000_000_000_000), peak("fp8", 459_000_000_000_000), peak("int8", 918_000_000_000_000)},
		Sources:                 []string{"Cloud TPU v5p doc (cloud.google.com/tpu/docs/v5p): bf16 459 TFLOPs, FP8 459 TFLOPs (current revision), HBM2e 95 GiB at 2765 GBps; int8 918 TOPs from Google's Dec 2023 v5p announcement (via aiwiki.ai/wiki/google_tpu_v5p); no fp32/fp16 peaks published"},
	}},
}

// GPUs returns every accelerator of the table, in a fixed order.
func GPUs() []scale.Device {
	out := make([]scale.Device, len(gpuTable))
	for i, g := range gpuTable {
		out[i] = g.Device
	}
	return out
}

// GPUAliases returns the other names the accelerator slug is looked up by.
func GPUAliases(slug string) []string {
	for _, g := range gpuTable {
		if g.Slug == slug {
			return g.aliases
		}
	}
	return nil
}

// LookupGPU returns the accelerator named name (its slug or an alias, in
// any case). For an unknown name the error names the nearest slugs.
func LookupGPU(name string) (scale.Device, error) {
	n := strings.ToLower(name)
	var slugs []string
	for _, g := range gpuTable {
		if g.Slug == n || slices.Contains(g.aliases, n) {
			return g.Device, nil
		}
		slugs = append(slugs, g.Slug)
	}
	msg := fmt.Sprintf("unknown GPU %q", name)
	if near := nearestOf(n, slugs, 3); len(near) > 0 {
		msg += "; did you mean " + strings.Join(near, ", ") + "?"
	}
	return scale.Device{}, errors.New(msg)
}

// peak is a dense peak of p operations per second.
func peak(p string, perSecond int64) scale.PeakFLOPs {
	return scale.PeakFLOPs{Precision: p, PerSecond: perSecond}
}
