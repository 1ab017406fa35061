// The example course page's script: creates two NormLab widgets (normlab-api.js) and wires
// this page's buttons to them. Shows what a course author writes; nothing here reaches into
// the widgets except through the API.
'use strict';

(function () {
  const STAGES = ['raw', 'mean', 'centred', 'variance', 'normalized', 'affine', 'running', 'eval'];
  const fmt = function (v) { return typeof v === 'number' && isFinite(v) ? v.toFixed(4) : '—'; };
  const $ = function (id) { return document.getElementById(id); };
  function enable(ids) { ids.forEach(function (id) { $(id).disabled = false; }); }
  function report(el) { return function (err) { el.textContent = 'NormLab said: ' + err.message; }; }
  window.course = {};

  // --- widget 1: the BN inspector --------------------------------------------------------
  const inspector = NormLab.create($('widget-inspector'), { src: '../embed.html', hash: 'p=inspector', height: '460px' });
  window.course.inspector = inspector;
  const out1 = $('w1-readout');
  function showStage() {
    return inspector.getState().then(function (s) {
      const stage = s.view.inspector.stage;
      out1.textContent = 'step ' + s.training.step + ' · stage ' + (STAGES.indexOf(stage) + 1) + '/8: ' + stage +
        ' · train loss ' + fmt(s.training.train_loss);
    }, report(out1));
  }
  inspector.ready.then(function () {
    enable(['w1-train', 'w1-prev', 'w1-next', 'w1-xhat']);
    inspector.on('state', showStage);
    return showStage();
  });
  $('w1-train').addEventListener('click', function () { inspector.step(20).then(showStage, report(out1)); });
  $('w1-next').addEventListener('click', function () { inspector.dispatch({ type: 'inspector_next_stage' }).then(showStage, report(out1)); });
  $('w1-prev').addEventListener('click', function () { inspector.dispatch({ type: 'inspector_prev_stage' }).then(showStage, report(out1)); });
  $('w1-xhat').addEventListener('click', function () {
    inspector.dispatch({ type: 'set_inspector_stage', stage: 'normalized' }).then(showStage, report(out1));
  });

  // --- widget 2: BN vs no BN at a high learning rate -------------------------------------
  const why = NormLab.create($('widget-why'), { src: '../embed.html', hash: 'p=why', height: '520px' });
  window.course.why = why;
  const out2 = $('w2-readout');
  function showRun() {
    return why.getState().then(function (s) {
      out2.textContent = 'learning rate ' + s.settings.optimizer.learning_rate + ' · step ' + s.training.step +
        ' · with BN: train loss ' + fmt(s.training.train_loss) + (s.training.diverged ? ' (diverged)' : '');
    }, report(out2));
  }
  why.ready.then(function () {
    enable(['w2-high', 'w2-low', 'w2-run', 'w2-reset']);
    why.on('step', function (e) { if (e.step % 50 === 0) showRun(); });
    return showRun();
  });
  function setRate(lr) {
    return why.setState({ settings: { optimizer: { learning_rate: lr } } }).then(showRun, report(out2));
  }
  $('w2-high').addEventListener('click', function () { setRate(1.0); });
  $('w2-low').addEventListener('click', function () { setRate(0.1); });
  $('w2-run').addEventListener('click', function () { why.step(200).then(showRun, report(out2)); });
  $('w2-reset').addEventListener('click', function () { why.dispatch({ type: 'reset' }).then(showRun, report(out2)); });
})();
