/**
 * Frequent syllables of Vietnamese administrative and news prose, written down from general
 * knowledge of the language (not drawn from any test corpus). Several wrong decodings produce
 * spellable but rare syllables (VISCII "công" read as TCVN3 is "cụng"); a hit here tips the balance.
 */
export const COMMON_SYLLABLES: ReadonlySet<string> = new Set(
  `của và các có là được trong cho không những với một người đã này để năm về theo thực hiện
   công tác việc đến tại ngày từ khi nhà nước tỉnh huyện xã phường phòng sở ban ủy nhân dân
   quyết định văn bản số báo cáo kế hoạch thông tư nghị quy chính phủ bộ trưởng thủ tướng
   chủ tịch phó giám đốc cục vụ trung ương địa phương cơ quan đơn vị tổ chức cán viên chức
   đảng ủy hội đồng kinh tế xã hội giáo dục đào tạo y sức khỏe bệnh viện nông nghiệp phát triển
   nông thôn tài nguyên môi trường giao vận xây dựng quản lý hành hướng dẫn đề nghị gửi kính
   gửi trân trọng thời gian hạn tháng quý tuần trước sau đây đó các mỗi nhiều ít hơn nhất
   cũng còn đang sẽ phải cần nên đều rất vẫn chưa lại ra vào lên xuống trên dưới giữa ngoài
   nội dung thông tin tình hình kết quả triển khai thực hiện nhiệm vụ giải pháp chương trình
   dự án đầu tư vốn ngân sách kinh phí tài chính thuế hải quan ngân hàng tiền đồng
   học sinh trường giáo viên lớp thi tốt nghiệp đại cao đẳng phổ mầm non tiểu trung
   bác sĩ khám chữa thuốc dịch bệnh phòng chống tiêm vắc xin an toàn thực phẩm
   lúa gạo cây trồng vật nuôi thủy sản lâm rừng đất nước mưa bão lũ hạn mặn thiên tai
   dân số gia đình trẻ em phụ nữ lao động việc làm bảo hiểm chính sách người có công
   an ninh quốc phòng trật tự công an quân đội biên giới pháp luật tư pháp tòa án kiểm sát
   điện tử số hóa trực tuyến hệ thống dữ liệu mạng chuyển đổi thủ tục hồ sơ cấp giấy phép
   đất đai quy hoạch sử dụng đô thị khu công nghiệp doanh nghiệp hợp tác xã thương mại
   sản xuất xuất khẩu nhập khẩu giá thị trường du lịch văn hóa thể thao thông
   ý kiến chỉ đạo phối hợp kiểm tra giám sát thanh tra đánh giá tổng kết rút kinh nghiệm
   đề xuất báo cáo trình phê duyệt ban hành sửa đổi bổ sung thay thế hiệu lực kể từ
   đồng chí ông bà anh chị em tôi chúng ta họ mình bạn
   rằng nhằm bảo đảm tăng cường nâng cao chất lượng hiệu quả tiếp tục đẩy mạnh
   trường hợp cụ thể theo đúng quy định yêu cầu tổ chức cá nhân liên quan
   biết rõ nắm thấy nói làm đi về đến đưa nhận lấy giữ mua bán xem nghe đọc viết
   mới cũ lớn nhỏ tốt xấu dài ngắn cao thấp nhanh chậm sớm muộn đầy đủ kịp thời
   hai ba bốn năm sáu bảy tám chín mười trăm nghìn triệu tỷ lần thứ
   nơi nhận lưu vt thành phố quận thị trấn ấp thôn bản làng tổ khu vực vùng miền
   việt nam hà nội hồ chí minh tây ninh bắc nam đông
   giờ thời trời mới lời đời chọn mọi họ nhỏ bỏ giỏi điều tiền quyền nền vì nếu thì mà nhưng hay
   hoặc như cùng vẫn đây sao gì ai bao nào đâu thế`
    .split(/\s+/)
    .filter((word) => word !== ''),
);
