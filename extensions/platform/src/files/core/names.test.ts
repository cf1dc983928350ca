import { describe, expect, it } from '@jest/globals';
import { sanitizeFileName, serverFieldsIn } from './names.js';

describe('sanitizeFileName', () => {
  it.each([
    ['../../etc/passwd', 'txt', 'passwd.txt'],
    ['..\\..\\windows\\system32\\evil.dll', 'png', 'evil.png'],
    ['in\u0000voice\r\n.pdf', 'pdf', 'invoice.pdf'],
    ['photo\u202Egpj.exe', 'jpg', 'photogpj.jpg'],
    ['report.pdf.exe', 'pdf', 'report.pdf.pdf'],
    ['a<b>:c"d|e?f*g.txt', 'txt', 'a_b__c_d_e_f_g.txt'],
    ['...', 'txt', 'file.txt'],
    ['', 'png', 'file.png'],
    ['  spaced   out  name .csv', 'csv', 'spaced out name.csv'],
  ])('%j → %s', (name, extension, expected) => {
    expect(sanitizeFileName(name, extension as string)).toBe(expected);
  });

  it('cuts long names', () => {
    expect(sanitizeFileName(`${'é'.repeat(300)}.txt`, 'txt')).toBe(`${'é'.repeat(100)}.txt`);
  });
});

describe('serverFieldsIn', () => {
  it('names the server-side fields a payload sets', () => {
    expect(serverFieldsIn({ title: 'x', filename_disk: 'a', storage: 'local' })).toEqual(['storage', 'filename_disk']);
    expect(serverFieldsIn({ title: 'x', description: 'y' })).toEqual([]);
  });
});
