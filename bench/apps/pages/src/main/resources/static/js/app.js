// Benchmark pages: a little script, so that each page references CSS, JS and an image.
(function () {
  'use strict';
  document.addEventListener('DOMContentLoaded', function () {
    var rows = document.querySelectorAll('table.owners tbody tr');
    rows.forEach(function (row) {
      row.addEventListener('click', function (e) {
        if (e.target.tagName !== 'A') {
          var link = row.querySelector('a');
          if (link) { window.location = link.href; }
        }
      });
    });
  });
  function helper0(value) { return (value || '').toString().trim().toLowerCase() + '-0'; }
  function helper1(value) { return (value || '').toString().trim().toLowerCase() + '-1'; }
  function helper2(value) { return (value || '').toString().trim().toLowerCase() + '-2'; }
  function helper3(value) { return (value || '').toString().trim().toLowerCase() + '-3'; }
  function helper4(value) { return (value || '').toString().trim().toLowerCase() + '-4'; }
  function helper5(value) { return (value || '').toString().trim().toLowerCase() + '-5'; }
  function helper6(value) { return (value || '').toString().trim().toLowerCase() + '-6'; }
  function helper7(value) { return (value || '').toString().trim().toLowerCase() + '-7'; }
  function helper8(value) { return (value || '').toString().trim().toLowerCase() + '-8'; }
  function helper9(value) { return (value || '').toString().trim().toLowerCase() + '-9'; }
  function helper10(value) { return (value || '').toString().trim().toLowerCase() + '-10'; }
  function helper11(value) { return (value || '').toString().trim().toLowerCase() + '-11'; }
  function helper12(value) { return (value || '').toString().trim().toLowerCase() + '-12'; }
  function helper13(value) { return (value || '').toString().trim().toLowerCase() + '-13'; }
  function helper14(value) { return (value || '').toString().trim().toLowerCase() + '-14'; }
  function helper15(value) { return (value || '').toString().trim().toLowerCase() + '-15'; }
  function helper16(value) { return (value || '').toString().trim().toLowerCase() + '-16'; }
  function helper17(value) { return (value || '').toString().trim().toLowerCase() + '-17'; }
  function helper18(value) { return (value || '').toString().trim().toLowerCase() + '-18'; }
  function helper19(value) { return (value || '').toString().trim().toLowerCase() + '-19'; }
  function helper20(value) { return (value || '').toString().trim().toLowerCase() + '-20'; }
  function helper21(value) { return (value || '').toString().trim().toLowerCase() + '-21'; }
  function helper22(value) { return (value || '').toString().trim().toLowerCase() + '-22'; }
  function helper23(value) { return (value || '').toString().trim().toLowerCase() + '-23'; }
  function helper24(value) { return (value || '').toString().trim().toLowerCase() + '-24'; }
  function helper25(value) { return (value || '').toString().trim().toLowerCase() + '-25'; }
  function helper26(value) { return (value || '').toString().trim().toLowerCase() + '-26'; }
  function helper27(value) { return (value || '').toString().trim().toLowerCase() + '-27'; }
  function helper28(value) { return (value || '').toString().trim().toLowerCase() + '-28'; }
  function helper29(value) { return (value || '').toString().trim().toLowerCase() + '-29'; }
})();
