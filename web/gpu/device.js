// device.js: WebGPU device set-up for the DiT kernels. One device per page, created on first use.
//
//   const gpu = await openGpu();      // never throws
//   if (!gpu.ok) show(gpu.message);   // "WebGPU unavailable: ..."
//   gpu.device, gpu.limits, gpu.timestampQuery, gpu.fallback (a software adapter)
//
// The device is requested with the adapter's own maxStorageBufferBindingSize, maxBufferSize and
// maxComputeWorkgroupStorageSize (the defaults, 128 MiB / 256 MiB / 16 KiB, are far below what
// most adapters offer), and with 'timestamp-query' when the adapter has it.

// Limits raised to the adapter's values, and the ones the planners read.
const RAISED_LIMITS = [
  'maxStorageBufferBindingSize', 'maxBufferSize', 'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup', 'maxStorageBuffersPerShaderStage',
];
const REPORTED_LIMITS = [
  ...RAISED_LIMITS, 'maxComputeWorkgroupsPerDimension', 'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY', 'maxUniformBufferBindingSize',
];

let opened = null;  // the promise of the one device of this page

function unavailable(message) {
  return {
    ok: false, message: `WebGPU unavailable: ${message}`, adapterName: '', features: [],
    limits: {}, timestampQuery: false, fallback: false, device: null,
  };
}

function adapterName(adapter) {
  const info = adapter.info || {};
  const parts = [info.vendor, info.architecture, info.device].filter((part) => part);
  const name = info.description || parts.join(' ') || 'unnamed adapter';
  return info.isFallbackAdapter || adapter.isFallbackAdapter ? `${name} (software fallback)` : name;
}

async function open() {
  if (typeof navigator === 'undefined' || !navigator.gpu) {
    return unavailable('this browser does not expose navigator.gpu (WebGPU is off, unsupported, ' +
                       'or the page is not served over https or localhost).');
  }
  let adapter;
  try {
    adapter = await navigator.gpu.requestAdapter({ powerPreference: 'high-performance' });
  } catch (error) {
    return unavailable(`requestAdapter failed: ${error.message || error}`);
  }
  if (!adapter) {
    return unavailable('no GPU adapter is available (blocklisted driver, or no GPU).');
  }
  const requiredLimits = {};
  for (const name of RAISED_LIMITS) {
    if (adapter.limits[name] !== undefined) requiredLimits[name] = adapter.limits[name];
  }
  const requiredFeatures = adapter.features.has('timestamp-query') ? ['timestamp-query'] : [];
  let device;
  try {
    device = await adapter.requestDevice({ requiredLimits, requiredFeatures });
  } catch (error) {
    return unavailable(`requestDevice failed: ${error.message || error}`);
  }
  const limits = {};
  for (const name of REPORTED_LIMITS) limits[name] = device.limits[name];
  const gpu = {
    ok: true,
    message: '',
    adapterName: adapterName(adapter),
    features: [...device.features].sort(),
    limits,
    timestampQuery: device.features.has('timestamp-query'),
    fallback: Boolean((adapter.info && adapter.info.isFallbackAdapter) || adapter.isFallbackAdapter),
    device,
    lost: null,  // a message once the device is lost
  };
  device.lost.then((info) => {
    gpu.lost = `the WebGPU device was lost (${info.reason || 'unknown'}): ${info.message}`;
  });
  // Errors outside an error scope would otherwise only reach the console.
  device.addEventListener('uncapturederror', (event) => {
    gpu.lastError = event.error.message;
    console.warn(`WebGPU: ${event.error.message}`);
  });
  return gpu;
}

// The page's GPU: {ok, message, adapterName, features, limits, timestampQuery, device, lost}.
// Never throws; a missing WebGPU gives ok false and a message starting "WebGPU unavailable".
export function openGpu() {
  if (!opened) {
    opened = open().catch((error) => unavailable(`${error.message || error}`));
  }
  return opened;
}
