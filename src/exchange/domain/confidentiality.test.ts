import { describe, expect, it } from 'vitest';
import { findConfidentialityMarking } from './confidentiality.ts';

describe('findConfidentialityMarking', () => {
  it.each([
    [{ subject: 'Kế hoạch phòng thủ dân sự (MẬT)' }, 'Mật', 'subject'],
    [{ content: 'TỐI MẬT\nKế hoạch …' }, 'Tối mật', 'content'],
    [{ subject: 'Báo cáo', content: 'Độ mật: Tuyệt mật' }, 'Tuyệt mật', 'content'],
    [{ subject: 'Mật - Phương án bảo vệ' }, 'Mật', 'subject'],
    [{ documentType: 'Công văn TUYỆT MẬT' }, 'Tuyệt mật', 'documentType'],
  ])('holds %j', (fields, level, where) => {
    expect(findConfidentialityMarking(fields)).toEqual({ level, where });
  });

  it.each([
    [{ subject: 'Về việc bảo mật thông tin cá nhân của người dân' }],
    [{ subject: 'Tăng cường công tác giữ bí mật nhà nước' }],
    [{ subject: 'Hướng dẫn sử dụng mật khẩu cho hệ thống' }],
    [{ content: 'Mật độ dân số tăng' }],
    [{ subject: undefined }],
  ])('lets ordinary text through: %j', (fields) => {
    expect(findConfidentialityMarking(fields)).toBeNull();
  });
});
