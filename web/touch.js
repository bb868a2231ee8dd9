// touch.js: touch and the on-screen keyboard for the app's canvas. Emscripten's GLFW turns a
// touch into a mouse press at the first finger only, so pinch, scrolling and long-press would be
// lost: these handlers take touches before GLFW sees them and pass them to the app (Embind):
//   - a tap is a click; a one-finger drag scrolls what is under the finger (over a plot too: the
//     page is the finger's, as on any web page), and keeps gliding after the finger lifts;
//   - two fingers on a plot pan it (their midpoint) and pinch-zoom it;
//   - a long press on a plot puts the pointer where the finger is, unpressed, so the plot shows
//     the read-out of the point under it (there is no hover on touch); a drag after it scrolls;
//   - while an ImGui text field is active, a hidden HTML input holds the focus so that mobile
//     browsers raise their keyboard; what is typed into it goes to the field.
const LONG_PRESS_MS = 450;
const TAP_SLOP_CSS_PX = 8;
const MOMENTUM_DECAY = 0.92;  // per frame

export function installTouch(app, canvas, textInput) {
  let mode = null;  // 'pending' | 'scroll' | 'hold' | 'pinch'
  let start = null;
  let last = null;
  let velocity = { x: 0, y: 0 };
  let pinchDistance = 0;
  let pinchMid = null;
  let holdTimer = null;
  let glide = null;
  let usedTouch = false;

  const local = (touch) => {
    const rect = canvas.getBoundingClientRect();
    return { x: touch.clientX - rect.left, y: touch.clientY - rect.top, t: performance.now() };
  };
  const midpoint = (touches) => {
    const a = local(touches[0]), b = local(touches[1]);
    return { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2, d: Math.hypot(a.x - b.x, a.y - b.y) };
  };
  const stopGlide = () => { if (glide) cancelAnimationFrame(glide); glide = null; };
  const clearHold = () => { clearTimeout(holdTimer); holdTimer = null; };

  function onStart(event) {
    // No emulated mouse events, no page zoom (a start the browser marks uncancelable, during a
    // scroll it already began, cannot be prevented: asking would only log an error).
    if (event.cancelable) event.preventDefault();
    event.stopPropagation();  // GLFW's own (single-finger) touch handling stays out
    usedTouch = true;
    stopGlide();
    if (event.touches.length >= 2) {
      clearHold();
      mode = 'pinch';
      pinchMid = midpoint(event.touches);
      pinchDistance = pinchMid.d;
      return;
    }
    start = last = local(event.touches[0]);
    velocity = { x: 0, y: 0 };
    mode = 'pending';
    app.touchScroll(start.x, start.y, 0, 0);  // the pointer moves there, nothing pressed
    if (app.plotAt(start.x, start.y)) {
      holdTimer = setTimeout(() => {
        if (mode !== 'pending') return;
        mode = 'hold';  // the pointer rests there: the plot shows the read-out of the point
        app.touchPointer(last.x, last.y, false);
      }, LONG_PRESS_MS);
    }
  }

  function onMove(event) {
    if (event.cancelable) event.preventDefault();
    event.stopPropagation();
    if (mode === 'pinch' && event.touches.length >= 2) {
      const m = midpoint(event.touches);
      const scale = pinchDistance > 0 && m.d > 0 ? m.d / pinchDistance : 1;
      app.touchPinch(m.x, m.y, scale, m.x - pinchMid.x, m.y - pinchMid.y);
      pinchDistance = m.d;
      pinchMid = m;
      return;
    }
    if (mode === 'pinch') return;  // one finger of a pinch lifted: nothing until both have
    const p = local(event.touches[0]);
    const moved = Math.hypot(p.x - start.x, p.y - start.y);
    // A drag scrolls, after a long press too (the read-out stays where the finger rested): a
    // swipe whose start the page was too busy to see in time is still a swipe.
    if ((mode === 'pending' || mode === 'hold') && moved > TAP_SLOP_CSS_PX) {
      clearHold();
      mode = 'scroll';
    }
    if (mode === 'scroll') {
      const dt = Math.max(1, p.t - last.t);
      velocity = { x: (p.x - last.x) / dt * 16, y: (p.y - last.y) / dt * 16 };  // px per frame
      app.touchScroll(p.x, p.y, p.x - last.x, p.y - last.y);
    }
    last = p;
  }

  function onEnd(event) {
    if (event.cancelable) event.preventDefault();
    event.stopPropagation();
    clearHold();
    if (event.touches.length > 0) return;  // a finger of a pinch is still down
    if (mode === 'pending') {
      app.touchPointer(start.x, start.y, true);  // a tap: one frame down, one up (queued)
      app.touchPointer(start.x, start.y, false);
    } else if (mode === 'scroll' && Math.hypot(velocity.x, velocity.y) > 1) {
      const at = last;
      const step = () => {
        velocity = { x: velocity.x * MOMENTUM_DECAY, y: velocity.y * MOMENTUM_DECAY };
        if (Math.hypot(velocity.x, velocity.y) < 0.5) { glide = null; return; }
        app.touchScroll(at.x, at.y, velocity.x, velocity.y);
        glide = requestAnimationFrame(step);
      };
      glide = requestAnimationFrame(step);
    }
    mode = null;
  }

  // Capture on window: runs before GLFW's capture listeners on the canvas.
  const options = { capture: true, passive: false };
  const onCanvas = (handler) => (event) => { if (event.target === canvas) handler(event); };
  window.addEventListener('touchstart', onCanvas(onStart), options);
  window.addEventListener('touchmove', onCanvas(onMove), options);
  window.addEventListener('touchend', onCanvas(onEnd), options);
  window.addEventListener('touchcancel', onCanvas(onEnd), options);

  // The on-screen keyboard: focus the hidden input while a text field wants text (touch only;
  // with a physical keyboard GLFW reads keys on the window whatever has the focus).
  // The input holds one sentinel space, so that Backspace has something to delete (keyboards
  // that send no key code for it report only the deletion).
  const SENTINEL = ' ';
  let lastKeypress = 0, lastBackspaceKey = 0;
  window.addEventListener('keypress', () => { lastKeypress = performance.now(); }, true);
  window.addEventListener('keydown', (event) => {
    if (event.keyCode === 8) lastBackspaceKey = performance.now();  // GLFW has it already
  }, true);
  textInput.addEventListener('input', (event) => {
    const recent = (t) => performance.now() - t < 50;
    if (event.inputType === 'deleteContentBackward') {
      if (!recent(lastBackspaceKey)) app.virtualBackspace();
    } else {
      // A physical key also fires keypress, which GLFW has already typed: not twice.
      const typed = textInput.value.replace(SENTINEL, '');
      if (!recent(lastKeypress) && typed) app.typeText(typed);
    }
    textInput.value = SENTINEL;
  });
  textInput.value = SENTINEL;
  const poll = () => {
    const wants = usedTouch && app.wantsTextInput();
    if (wants && document.activeElement !== textInput) textInput.focus({ preventScroll: true });
    if (!wants && document.activeElement === textInput) canvas.focus({ preventScroll: true });
    requestAnimationFrame(poll);
  };
  requestAnimationFrame(poll);
}
